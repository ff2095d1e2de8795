import Foundation
import Testing
import GSPCore
import GSPClient
import GSPPipeline
@testable import GSPImport
import GSPTestSupport

@Suite(.serialized) struct ReplicaImportTests {
    func replica(_ dir: TemporaryDirectory, _ name: String = "r.sqlite") throws -> Replica {
        try Replica.create(at: dir.path(name), user: "importer")
    }

    /// The CRM sample into a real replica: counts as of dates inside 2017 match the CSV's own
    /// dates, counted here from the raw lines; a second import changes nothing.
    @Test(.enabled(if: SharedData.crmOpportunities != nil, Comment(rawValue: SharedData.missingNote)))
    func crmImportFollowsTheSourceTimelineAndIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let r = try replica(dir)
        let url = SharedData.crmOpportunities!.appendingPathComponent("sales_pipeline.csv")
        let first = try Importer.apply(try Importer.plan(file: url, mapping: nil, preset: nil), to: r, skipBad: false)
        #expect(first.skipped.isEmpty)
        let pending = try r.pendingCount()
        let deals = try r.rows(of: "deals")
        let second = try Importer.apply(try Importer.plan(file: url, mapping: nil, preset: nil), to: r, skipBad: false)
        #expect(second.summary.changesWritten == 0)
        #expect(try r.pendingCount() == pending)
        #expect(try r.rows(of: "deals") == deals, "a second import leaves every deal as it was")

        let rows = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // The replica holds exactly the source's counts per stage and its won total (close_value, USD).
        func sourceCount(_ stage: String) -> Int { rows.filter { $0[4] == stage }.count }
        func held(_ stage: String, _ outcome: String) -> Int {
            deals.values.filter { $0["stage"] == .text(stage) && $0["outcome"] == .text(outcome) }.count
        }
        #expect(deals.count == rows.count)
        #expect(held("bau", "open") == sourceCount("Prospecting"))
        #expect(held("poc", "open") == sourceCount("Engaging"))
        #expect(held("main_contract", "won") == sourceCount("Won"))
        #expect(deals.values.filter { $0["outcome"] == .text("lost") }.count == sourceCount("Lost"))
        let sourceWon = rows.filter { $0[4] == "Won" }.map { Int64($0[7])! * 100 }.reduce(0, +)
        let importedWon = deals.values.filter { $0["outcome"] == .text("won") }.map { deal -> Int64 in
            guard case .money(let fee)? = deal["contract_fee"], fee.currency == "USD" else { return -1 }
            return fee.minorUnits
        }
        #expect(importedWon.reduce(0, +) == sourceWon && !importedWon.contains(-1))
        let history = try r.allChanges()
        CRMReportChecks.check(history, rows: rows)
        for date in ["2017-01-31", "2017-06-30", "2017-10-15", "2017-12-31"] {
            let day = try Day.parse(date)
            // Independent count: ISO dates compare as text.
            var expected: [String: Int] = ["poc": 0, "won": 0, "lost": 0]
            for c in rows {
                let (stage, engaged, closed) = (c[4], c[5], c[6])
                if stage == "Prospecting" { continue } // created on the file's last date: checked live below
                guard !engaged.isEmpty, engaged <= date else { continue }
                if !closed.isEmpty && closed <= date { expected[stage == "Won" ? "won" : "lost"]! += 1 } else { expected["poc"]! += 1 }
            }
            let data = PipelineData(history: history, asOf: day)
            let open = data.deals.filter { $0.outcome == .open }
            #expect(open.filter { $0.stage == .proofOfConcept }.count == expected["poc"], "as of \(date)")
            #expect(data.deals.filter { $0.outcome == .won }.count == expected["won"], "as of \(date)")
            #expect(data.deals.filter { $0.outcome == .lost }.count == expected["lost"], "as of \(date)")
        }
        // Live: the Prospecting rows appear on the file's last date, in bau.
        let live = PipelineData(history: history, asOf: nil)
        #expect(live.deals.filter { $0.outcome == .open && $0.stage == .businessAsUsual }.count == rows.filter { $0[4] == "Prospecting" }.count)
    }

    @Test func exportThenImportIntoAFreshReplicaReproducesEveryField() throws {
        let dir = TemporaryDirectory()
        let source = try replica(dir, "a.sqlite")
        _ = try Importer.apply(DemoGenerator(seed: 5, deals: 60).plan(), to: source, skipBad: false)
        // Text a spreadsheet would run as a formula, and text that starts with an apostrophe, survive.
        let deal = try #require(try source.rows(of: "deals").keys.first)
        try source.write([FieldWrite(.deals, deal, "next_step", .text("=HYPERLINK(\"x\")")),
                          FieldWrite(.deals, deal, "contact", .text("'quoted, with \"marks\"\nand a line")),
                          FieldWrite(.deals, deal, "x_future_field", .text("kept"))])
        let target = try replica(dir, "b.sqlite")
        for table in Schema.Table.allCases {
            let file = dir.url.appendingPathComponent("\(table.rawValue).csv")
            try Data(NativeCSV.export(table, rows: try source.rows(of: table.rawValue)).utf8).write(to: file)
            let result = try Importer.apply(try Importer.plan(file: file, mapping: nil, preset: nil), to: target, skipBad: false)
            #expect(result.skipped.isEmpty)
        }
        for table in Schema.Table.allCases {
            #expect(try target.rows(of: table.rawValue) == (try source.rows(of: table.rawValue)), "\(table.rawValue) differs")
        }
        #expect(try target.rows(of: "kpis").count > 0 && (try target.rows(of: "time_entries").count) > 0)
    }

    @Test func progressIsReportedInOrderUpToTheWhole() throws {
        let dir = TemporaryDirectory()
        let r = try replica(dir)
        var seen: [(Int, Int)] = []
        _ = try Importer.apply(DemoGenerator(seed: 3, deals: 40).plan(), to: r, skipBad: false) { seen.append(($0, $1)) }
        let total = try #require(seen.last?.1)
        #expect(seen.count > 50 && seen.count <= 201, "about one call per 1%: \(seen.count)")
        #expect(seen.allSatisfy { $0.1 == total } && seen.last?.0 == total)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.0 < $1.0 })
    }

    @Test func aRunWithBadRowsImportsNothingUnlessSkipBad() throws {
        let dir = TemporaryDirectory()
        let r = try replica(dir)
        var plan = DemoGenerator(seed: 1, deals: 5).plan()
        plan.problems = [ImportError(file: "x.csv", line: 9, reason: "bad")]
        #expect(throws: ImportRefused.self) { try Importer.apply(plan, to: r, skipBad: false) }
        #expect(try r.pendingCount() == 0)
        let result = try Importer.apply(plan, to: r, skipBad: true)
        #expect(result.skipped.map(\.line) == [9])
        #expect(try r.pendingCount() > 0)
    }
}
