import Testing
import Foundation
import GSPCore
@testable import GSPPipeline

@Suite struct RenderingTests {
    func table(_ rows: [[Cell]]) -> ReportTable {
        ReportTable(title: "T", asOf: nil, notes: ["n"], sections: [
            ReportSection(title: "S", columns: [Column("a", "A"), Column("b", "B")], rows: rows),
        ])
    }

    /// A text may be 1 MiB: a report of many such values once grew past what a client reads
    /// (80 MiB). Every format shows at most `Cell.longestText` characters of a text cell.
    @Test func longTextCellsAreShortenedInEveryFormat() {
        let long = String(repeating: "z", count: 1_000_000)
        let report = table([[.text(long), .integer(1)]])
        for (format, out) in [("text", report.text()), ("csv", report.csv()), ("json", report.json()), ("html", Dashboard.html(report))] {
            #expect(out.count < 2_000, "\(format)")
            #expect(out.contains("(1,000,000 bytes in all)"), "\(format)")
        }
        #expect(table([[.text(String(repeating: "z", count: 200)), .integer(1)]]).csv().contains(String(repeating: "z", count: 200)))
    }

    @Test func csvQuotesAfterRFC4180() {
        let csv = table([[.text("plain"), .text("comma, here")], [.text("say \"hi\""), .text("two\nlines")]]).csv()
        #expect(csv == "A,B\r\nplain,\"comma, here\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
    }

    @Test(arguments: ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"y\")"])
    func csvNeutralizesFormulas(text: String) {
        let csv = table([[.text(text), .integer(-5)]]).csv()
        let line = csv.components(separatedBy: "\r\n")[1]
        // The cell starts with an apostrophe (inside quotes when the cell needs them) and the number stays a number.
        #expect(line.hasPrefix("'") || line.hasPrefix("\"'"), "\(line)")
        #expect(line.hasSuffix(",-5"))
    }

    @Test func csvOfSeveralSectionsNamesTheSectionOnEveryLine() {
        let two = ReportTable(title: "T", asOf: nil, notes: [], sections: [
            ReportSection(title: "First", columns: [Column("a", "A")], rows: [[.integer(1)]]),
            ReportSection(title: "Second", columns: [Column("b", "B")], rows: [[.integer(2)]]),
        ])
        #expect(two.csv() == "section,A\r\nFirst,1\r\nsection,B\r\nSecond,2\r\n")
    }

    @Test func csvLeavesNegativeMoneyAndSafeTextAlone() {
        let csv = table([[.text("a=b"), .money(totals("-12.50 USD"))]]).csv()
        #expect(csv == "A,B (USD)\r\na=b,-12.50\r\n")
    }

    @Test func csvLeavesMissingAmountsEmpty() {
        let csv = table([[.money(MoneyTotals()), .percent(nil)]]).csv()
        #expect(csv == "A,B (%)\r\n,\r\n")
        #expect(table([[.money(MoneyTotals()), .percent(nil)]]).text().contains("-  -"))
    }

    @Test func textTableAlignsAndStripsControlCharacters() {
        let t = table([[.text("x"), .integer(5)], [.text("longer\u{1B}[31m"), .integer(12345)]])
        let lines = t.text().split(separator: "\n").map(String.init)
        // Column A is 11 wide ("longer?[31m"), then two spaces, then B right-aligned in 5.
        #expect(lines.contains("A" + String(repeating: " ", count: 16) + "B"))
        #expect(lines.contains("x" + String(repeating: " ", count: 16) + "5"))
        #expect(lines.contains("longer?[31m  12345"))
        #expect(!t.text().contains("\u{1B}"))
    }

    @Test func jsonIsValidAndTyped() throws {
        let t = table([[.text("q\"<b>\u{1}"), .money(totals("1.50 USD", "100 JPY"))], [.percent(nil), .number(2.25, decimals: 1)]])
        let parsed = try JSONSerialization.jsonObject(with: Data(t.json().utf8)) as! [String: Any]
        let rows = (parsed["sections"] as! [[String: Any]])[0]["rows"] as! [[String: Any]]
        #expect(rows[0]["a"] as? String == "q\"<b>\u{1}")
        let amounts = rows[0]["b"] as! [[String: String]]
        #expect(amounts == [["amount": "100", "currency": "JPY"], ["amount": "1.50", "currency": "USD"]])
        #expect(rows[1]["a"] is NSNull)
        #expect((rows[1]["b"] as? NSNumber)?.doubleValue == 2.3)
        #expect(!t.json().contains("<b>"))
    }

    @Test func currenciesAreNeverAddedInOutput() {
        let r = Reports.run(.pipeline, data: Fixture().live())
        let total = r.sections[0].rows.last!
        #expect(total[3].text == "50000.00 EUR; 5000000 JPY; 127000.00 USD")
        #expect(r.text().contains("Money is summed per currency"))
    }

    @Test func everyReportRendersEveryFormat() throws {
        let data = Fixture().live()
        for name in ReportName.allCases {
            let t = Reports.run(name, data: data, options: ReportOptions(groupBy: .region))
            #expect(t.text().contains(t.title))
            _ = try JSONSerialization.jsonObject(with: Data(t.json().utf8))
            #expect(t.csv().hasSuffix("\r\n"))
            #expect(try ReportName.parse(name.rawValue.uppercased()) == name)
        }
        #expect(throws: DomainError.self) { try ReportName.parse("revenue") }
        #expect(throws: DomainError.self) { try GroupBy.parse("city") }
    }

    @Test func fixedDecimalsRoundHalfAwayFromZero() {
        #expect(Cell.format(2.25, decimals: 1) == "2.3")
        #expect(Cell.format(-0.04, decimals: 1) == "0.0" || Cell.format(-0.04, decimals: 1) == "-0.0")
        #expect(Cell.format(71.42857, decimals: 1) == "71.4")
        #expect(Cell.percent(100.0 / 3).text == "33.3%")
        #expect(Cell.moment(HistoryBuilder.ms("2026-03-01", hour: 11) + 60_000 * 7).text == "2026-03-01 11:07")
    }
}
