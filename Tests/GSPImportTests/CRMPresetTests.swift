import Foundation
import Testing
import GSPCore
@testable import GSPImport
import GSPTestSupport

/// Checks the preset's mapping against figures computed here straight from the CSV text.
@Suite struct CRMPresetTests {
    static let folder = SharedData.crmOpportunities

    @Test(.enabled(if: folder != nil, Comment(rawValue: SharedData.missingNote)))
    func mapsEveryRowWithTheSourceCountsAndWonTotal() throws {
        let url = Self.folder!.appendingPathComponent("sales_pipeline.csv")
        let plan = try CRMOpportunities.plan(pipeline: url)
        #expect(plan.problems.isEmpty, "\(plan.problems.prefix(3))")

        // Independent count: split the raw lines (the file has no quoted commas).
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        var bySourceStage: [String: Int] = [:]
        var wonCents: Int64 = 0
        for line in lines {
            let cols = line.split(separator: ",", omittingEmptySubsequences: false)
            bySourceStage[String(cols[4]), default: 0] += 1
            if cols[4] == "Won" { wonCents += Int64(cols[7])! * 100 }
        }
        let deals = plan.records.filter { $0.table == .deals }
        #expect(deals.count == lines.count)
        #expect(Set(deals.map(\.row)).count == deals.count, "row ids must be unique")

        let finals = deals.map(\.finalValues)
        func count(stage: String, outcome: String) -> Int {
            finals.filter { $0["stage"]?.textValue == stage && $0["outcome"]?.textValue == outcome }.count
        }
        #expect(count(stage: "bau", outcome: "open") == bySourceStage["Prospecting"])
        #expect(count(stage: "poc", outcome: "open") == bySourceStage["Engaging"])
        #expect(count(stage: "main_contract", outcome: "won") == bySourceStage["Won"])
        #expect(finals.filter { $0["outcome"]?.textValue == "lost" }.count == bySourceStage["Lost"])
        let won = finals.compactMap { Contract(fields: $0)?.value?.minorUnits }.reduce(0, +)
        #expect(won == wonCents)
    }

    @Test func badRowsAreReportedWithLineAndReason() throws {
        let dir = TemporaryDirectory()
        let csv = """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        A1,Agent 1,GTX,Acme,Won,2017-01-02,2017-02-30,100
        A2,Agent 1,GTX,Acme,Closing,2017-01-02,,
        A3,Agent 1,GTX,Acme
        ,Agent 1,GTX,Acme,Prospecting,,,
        A5,Agent 1,GTX,"Acme, Inc.",Engaging,2017-01-02,,

        """
        let url = dir.url.appendingPathComponent("sales_pipeline.csv")
        try Data(csv.utf8).write(to: url)
        let plan = try CRMOpportunities.plan(pipeline: url)
        #expect(plan.problems.map(\.line) == [2, 3, 4, 5])
        #expect(plan.problems[0].reason.contains("close_date"))
        #expect(plan.problems[1].reason.contains("unknown deal_stage 'Closing'"))
        #expect(plan.problems[2].reason.contains("expected 8 columns, found 4"))
        #expect(plan.problems[3].reason.contains("opportunity_id"))
        #expect(plan.records.count == 1)
        #expect(plan.records[0].finalValues["account"] == .text("Acme, Inc."))
    }
}
