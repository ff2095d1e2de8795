import Testing
import GSPCore
@testable import GSPPipeline

/// CSV a script can read: numbers plain, one amount column per currency, one header per
/// section named in a `section` column, every line ending in one CRLF.
@Suite struct CSVMachineReadableTests {
    /// Splits CSV without quoted fields into lines of fields; fails on a line not ending in CRLF.
    static func rows(_ csv: String) -> [[String]] {
        #expect(csv.hasSuffix("\r\n") && !csv.hasSuffix("\r\n\r\n") && !csv.hasSuffix("\n\n"))
        return csv.components(separatedBy: "\r\n").dropLast().map { $0.components(separatedBy: ",") }
    }

    @Test func moneyGetsOneNumericColumnPerCurrency() {
        let table = ReportTable(title: "T", asOf: nil, notes: [], sections: [
            ReportSection(title: "S", columns: [Column("who", "Owner"), Column("value", "Value")], rows: [
                [.text("a"), .money(totals("12500.50 EUR", "100 JPY", "107600.50 USD"))],
                [.text("b"), .money(totals("7.00 USD"))],
            ]),
        ])
        #expect(Self.rows(table.csv()) == [
            ["Owner", "Value (EUR)", "Value (JPY)", "Value (USD)"],
            ["a", "12500.50", "100", "107600.50"],
            ["b", "", "", "7.00"],
        ])
    }

    @Test func everyCellOfThePipelineIsPlain() {
        let rows = Self.rows(Reports.run(.pipeline, data: Fixture().live()).csv())
        #expect(rows[0] == ["section", "Stage", "Stage probability (%)", "Open deals", "Open value (EUR)", "Open value (JPY)",
                            "Open value (USD)", "Weighted open value (EUR)", "Weighted open value (JPY)", "Weighted open value (USD)"])
        // main_contract: Acme 120000 USD open at 90%.
        #expect(rows.contains(["Open pipeline", "main_contract", "90.0", "1", "", "", "120000.00", "", "", "108000.00"]))
        #expect(rows.contains(["section", "Outcome", "Closed deals", "Closed value (EUR)", "Closed value (USD)"]))
        #expect(rows.contains(["Closed", "won", "2", "", "70000.00"]))
        #expect(rows.contains(["Closed", "lost", "2", "10000.00", "20000.00"]))
        // Every data line of a section has as many fields as its header.
        var width = 0
        for row in rows {
            if row[0] == "section" { width = row.count } else { #expect(row.count == width, "\(row)") }
        }
    }

    @Test func agingSectionsAreMachineReadable() {
        let fixture = Fixture()
        let rows = Self.rows(Reports.run(.aging, data: fixture.live()).csv())
        #expect(rows[0] == ["section", "Stage", "Stays", "Median", "p90"])
        #expect(rows.allSatisfy { !$0.joined().isEmpty }, "no blank lines")
        let stalled = rows.filter { $0[0] == "Stalled deals" }
        // Gamma, Beta and Eta, each with its short id first.
        #expect(stalled.map { $0[1] } == [fixture.d3, fixture.d2, fixture.d7].map { String($0.uuidString.lowercased().prefix(8)) })
    }

    @Test func lostDealsOfTheSameNameAreToldApartByID() {
        var b = HistoryBuilder()
        var ids: [RowID] = []
        for _ in 0..<3 {
            let id = b.deal("GTK 500 for Cheers", at: HistoryBuilder.ms("2017-05-01"), by: HistoryBuilder.alice,
                            ["owner": .text("Agent 11"), "value": usd(500)])
            b.write("deals", id, ["outcome": .text("lost")], at: HistoryBuilder.ms("2017-05-02"), by: HistoryBuilder.alice)
            ids.append(id)
        }
        let table = Reports.run(.lost, data: PipelineData(history: b.changes))
        let shown = table.section("Deals")!.column("id")
        #expect(Set(shown).count == 3)
        #expect(Set(shown) == Set(ids.map { Cell.text(String($0.uuidString.lowercased().prefix(8))) }))
    }
}
