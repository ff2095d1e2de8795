import Foundation
import Testing
import GSPCore
import GSPClient

@testable import GSPImport
import GSPTestSupport

/// A lost row keeps the stage the export says it was lost at (finding: every mapped lost deal
/// was recorded as lost at bau, even when the export had a "lost at stage" column).
@Suite struct MappingLostStageTests {
    let mappingJSON = """
    { "source": "acme-crm", "id": "Id",
      "fields": { "title": "Name", "owner": "Owner", "lost_stage": "Stage Before Lost", "lost_reason": "Loss Reason" },
      "stage": { "column": "Stage", "values": { "Prospecting": "bau", "Trial": "poc", "KPI Talks": "kpi", "Closed Lost": "lost" } },
      "created": "Created", "closed": "Closed" }
    """

    func plan(_ csv: String, mapping: String? = nil) throws -> ImportPlan {
        let dir = TemporaryDirectory()
        let url = try dir.write(mapping ?? mappingJSON, to: "m.json")
        return try MappingFile.load(url).plan(CSVTable(data: Data(csv.utf8), file: "export.csv"))
    }

    let header = "Id,Name,Owner,Stage,Stage Before Lost,Loss Reason,Created,Closed\n"

    @Test func aLostRowIsLostAtTheStageTheExportNames() throws {
        let plan = try plan(header
            + "1,A,ana,Closed Lost,KPI Talks,price,2026-01-10,2026-03-01\n"   // a source stage, mapped
            + "2,B,ana,Closed Lost,poc,,2026-01-10,2026-03-01\n"              // a GSP stage id
            + "3,C,ana,Closed Lost,,,2026-01-10,2026-03-01\n"                 // not given: bau
            + "4,D,ana,Closed Lost,Negotiation,,2026-01-10,2026-03-01\n"      // names no stage: a bad row
            + "5,E,ana,Trial,KPI Talks,,2026-01-10,\n")                        // open: the column is ignored
        #expect(plan.problems.map(\.line) == [5])
        #expect(plan.problems.first?.reason.contains("Stage Before Lost 'Negotiation' names no stage") == true)
        let finals = plan.records.map(\.finalValues)
        #expect(finals.map { $0["lost_stage"] } == [.text("kpi"), .text("poc"), .text("bau"), nil])
        #expect(finals.map { $0["stage"] } == [.text("kpi"), .text("poc"), .text("bau"), .text("poc")])
        #expect(finals.map { $0["lost_reason"] } == [.text("price"), .text("lost in acme-crm"), .text("lost in acme-crm"), nil])

        // Through a replica: the deal entered kpi on its created day and was lost there on its closed day.
        let dir = TemporaryDirectory()
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "ana")
        _ = try Importer.apply(plan, to: replica, skipBad: true)
        let deal = try replica.deal(plan.records[0].row.lowercased)
        #expect(deal.outcome == .lost && deal["lost_stage"] == .text("kpi"))
        let stages = try replica.stageHistory(of: deal.id)
        #expect(stages.map(\.stage) == [.businessAsUsual, .keyAgreement])
        #expect(stages.last.map { Int64($0.hlc.milliseconds) / 86_400_000 } == Day(year: 2026, month: 1, day: 10).startMilliseconds / 86_400_000)
    }

    @Test func withoutALostStageColumnALostRowIsLostAtBau() throws {
        let mapping = mappingJSON.replacingOccurrences(of: #""lost_stage": "Stage Before Lost", "#, with: "")
        let plan = try plan(header + "1,A,ana,Closed Lost,KPI Talks,,2026-01-10,2026-03-01\n", mapping: mapping)
        #expect(plan.records.first?.finalValues["lost_stage"] == .text("bau"))
    }
}
