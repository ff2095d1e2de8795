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

    static let header = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"

    @Test func aCopyUnderAnotherNameIsRecognisedByItsHeaderAndMissingCompanionsAreNamed() throws {
        let dir = TemporaryDirectory()
        let url = try dir.write(Self.header + "A1,Agent 1,GTX,Acme,Engaging,2017-01-02,,\n", to: "pipeline_copy.csv")
        try dir.write("sales_agent,manager,regional_office\nAgent 1,Manager A,West\n", to: "sales_teams.csv")
        let plan = try Importer.plan(file: url, mapping: nil, preset: nil)
        #expect(plan.records.first?.finalValues["manager"] == .text("Manager A"))
        #expect(plan.notes.count == 2)
        #expect(plan.notes.contains { $0.hasPrefix("products.csv is not beside") && $0.contains("no value") })
        #expect(plan.notes.contains { $0.hasPrefix("accounts.csv is not beside") })
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("sales_teams.csv"))
        let bare = try Importer.plan(file: url, mapping: nil, preset: nil)
        #expect(bare.notes.contains { $0.hasPrefix("sales_teams.csv is not beside") && $0.contains("no manager and no region") })
    }

    @Test func aSecondRowWithTheSameIdIsRefusedNamingTheFirst() throws {
        let dir = TemporaryDirectory()
        let url = try dir.write(Self.header + "A1,Agent 1,GTX,Acme,Engaging,2017-01-02,,\nA2,Agent 1,GTX,Beta,Prospecting,,,\n"
                                + "A1,Agent 2,GTX,Acme,Prospecting,,,\n", to: "sales_pipeline.csv")
        let plan = try CRMOpportunities.plan(pipeline: url)
        #expect(plan.records.count == 2)
        #expect(plan.problems.map(\.line) == [4])
        #expect(plan.problems.first?.reason.hasPrefix("duplicate id A1, first seen on line 2") == true)
    }

    /// A Lost row with an engage_date had reached poc: it is lost there; one without is lost at bau.
    @Test func lostDealsAreLostAtTheStageTheyReached() throws {
        let dir = TemporaryDirectory()
        let url = try dir.write(Self.header + "A1,Agent 1,GTX,Acme,Lost,2017-01-02,2017-02-01,0\nA2,Agent 1,GTX,Beta,Lost,,2017-02-01,0\n",
                                to: "sales_pipeline.csv")
        let finals = try CRMOpportunities.plan(pipeline: url).records.map(\.finalValues)
        #expect(finals.map { $0["lost_stage"] } == [.text("poc"), .text("bau")])
        #expect(finals.map { $0["stage"] } == [.text("poc"), .text("bau")])
        #expect(finals.allSatisfy { $0["outcome"] == .text("lost") })
    }
}
