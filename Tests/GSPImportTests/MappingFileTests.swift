import Foundation
import Testing
import GSPCore
@testable import GSPImport
import GSPTestSupport

/// A Salesforce-like export with US dates, quoted amounts and a mapping file.
@Suite struct MappingFileTests {
    let mappingJSON = """
    { "source": "acme-crm", "id": "Opportunity ID",
      "fields": { "title": "Opportunity Name", "account": "Account Name", "owner": "Owner", "value": "Amount" },
      "currency": "EUR", "date_format": "MM/DD/YYYY",
      "stage": { "column": "Stage", "values": { "Prospecting": "bau", "Needs Analysis": "poc", "Closed Won": "won", "Closed Lost": "lost" } },
      "created": "Created Date", "closed": "Close Date" }
    """

    func load(_ json: String, dir: TemporaryDirectory) throws -> MappingFile {
        let url = dir.url.appendingPathComponent("m.json")
        try Data(json.utf8).write(to: url)
        return try MappingFile.load(url)
    }

    @Test func mapsAnExportWithUSDatesAndQuotedAmounts() throws {
        let dir = TemporaryDirectory()
        let mapping = try load(mappingJSON, dir: dir)
        let csv = "\u{FEFF}Opportunity ID,Opportunity Name,Account Name,Owner,Amount,Stage,Created Date,Close Date\r\n"
            + "006A,\"Fleet, phase 2\",Müller GmbH,ana,\"12,500.50\",Closed Won,3/7/2026,5/1/2026\r\n"
            + "006B,Pilot,Acme,bo,900,Needs Analysis,01/15/2026,\r\n"
            + "006C,Pilot,Acme,bo,lots,Prospecting,01/15/2026,\r\n"
            + "006D,Pilot,Acme,bo,1,Negotiation,01/15/2026,\r\n"
        let plan = try mapping.plan(CSVTable(data: Data(csv.utf8), file: "export.csv"))
        #expect(plan.records.count == 2)
        #expect(plan.problems.map(\.line) == [4, 5])
        #expect(plan.problems[0].reason.contains("Amount: 'lots' is not an amount"))
        #expect(plan.problems[1].reason.contains("'Negotiation' is not in the mapping"))
        let won = plan.records[0].finalValues
        #expect(won["title"] == .text("Fleet, phase 2"))
        #expect(won["value"] == .money(Money(minorUnits: 1_250_050, currency: "EUR")))
        #expect(won["outcome"] == .text("won") && won["stage"] == .text("main_contract"))
        #expect(plan.records[0].writes.first { $0.field == "outcome" && $0.value == .text("won") }?.day == Day(year: 2026, month: 5, day: 1))
        #expect(plan.records[1].finalValues["stage"] == .text("poc"))
    }

    @Test func aMappingNamingAnUnknownFieldOrStageIsRefused() throws {
        let dir = TemporaryDirectory()
        #expect(throws: ImportError.self) { try load(mappingJSON.replacingOccurrences(of: "\"owner\"", with: "\"ownr\""), dir: dir) }
        #expect(throws: ImportError.self) { try load(mappingJSON.replacingOccurrences(of: "\"poc\"", with: "\"demo\""), dir: dir) }
        #expect(throws: ImportError.self) { try load("{ not json", dir: dir) }
    }
}
