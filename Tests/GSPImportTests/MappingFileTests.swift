import Foundation
import Testing
import GSPCore
import GSPClient
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

    /// A decimal comma is never taken for a thousands separator (12,5 read as 125): the row is
    /// refused naming the mapping option, and with `decimal_separator` "," it reads exactly.
    @Test func decimalCommasAreRefusedOrReadAsTheMappingSays() throws {
        let dir = TemporaryDirectory()
        let csv = "Opportunity ID,Opportunity Name,Account Name,Owner,Amount,Stage,Created Date,Close Date\r\n"
            + "006A,Fleet,Acme,ana,\"12,5\",Prospecting,01/15/2026,\r\n"
            + "006B,Fleet,Acme,ana,\"12.500,50\",Prospecting,01/15/2026,\r\n"
            + "006C,Fleet,Acme,ana,\"1.200,5 USD\",Prospecting,01/15/2026,\r\n"
        let table = try CSVTable(data: Data(csv.utf8), file: "export.csv")
        let usual = try load(mappingJSON, dir: dir).plan(table)
        #expect(usual.records.isEmpty)
        #expect(usual.problems.map(\.line) == [2, 3, 4])
        #expect(usual.problems.allSatisfy { $0.reason.contains("decimal_separator") }, "\(usual.problems)")
        let european = try load(mappingJSON.replacingOccurrences(of: "\"currency\"", with: "\"decimal_separator\": \",\", \"currency\""), dir: dir).plan(table)
        #expect(european.problems.isEmpty, "\(european.problems)")
        #expect(european.records.map { $0.finalValues["value"] } == [
            .money(Money(minorUnits: 1250, currency: "EUR")), .money(Money(minorUnits: 1_250_050, currency: "EUR")),
            .money(Money(minorUnits: 120_050, currency: "USD")),
        ])
        #expect(throws: ImportError.self) { try load(mappingJSON.replacingOccurrences(of: "\"currency\"", with: "\"decimal_separator\": \";\", \"currency\""), dir: dir) }
    }

    /// Found by a new user: an Amount of -100 was imported and lowered the pipeline's totals,
    /// though 'gsp deal set' refuses a negative amount. Mapped values get the same checks.
    @Test func mappedValuesGetTheChecksDealSetMakes() throws {
        let dir = TemporaryDirectory()
        let json = mappingJSON.replacingOccurrences(of: "\"value\": \"Amount\"", with: "\"value\": \"Amount\", \"contract_model\": \"Model\"")
        let csv = "Opportunity ID,Opportunity Name,Account Name,Owner,Amount,Model,Stage,Created Date,Close Date\r\n"
            + "006A,Fleet,Acme,ana,-100,royalty,Prospecting,01/15/2026,\r\n"
            + "006B,Fleet,Acme,ana,100,lease,Prospecting,01/15/2026,\r\n"
            + "006C,Fleet,Acme,ana,100,otc,Prospecting,01/15/2026,\r\n"
        let plan = try load(json, dir: dir).plan(CSVTable(data: Data(csv.utf8), file: "export.csv"))
        #expect(plan.problems.map(\.line) == [2, 3])
        #expect(plan.problems.first?.reason.contains("Amount: negative amount") == true, "\(plan.problems)")
        #expect(plan.problems.last?.reason.contains("Model: unknown contract model 'lease'") == true, "\(plan.problems)")
        #expect(plan.records.count == 1)
    }

    /// Found by a new user: with the first row of an id bad, a second row with that id was
    /// imported (with --skip-bad) without the duplicate check.
    @Test func aBadRowStillClaimsItsId() throws {
        let dir = TemporaryDirectory()
        let csv = "Opportunity ID,Opportunity Name,Account Name,Owner,Amount,Stage,Created Date,Close Date\r\n"
            + "006A,Fleet,Acme,ana,lots,Prospecting,01/15/2026,\r\n"
            + "006A,Fleet,Acme,ana,100,Prospecting,01/15/2026,\r\n"
        let plan = try load(mappingJSON, dir: dir).plan(CSVTable(data: Data(csv.utf8), file: "export.csv"))
        #expect(plan.records.isEmpty)
        #expect(plan.problems.map(\.line) == [2, 3])
        #expect(plan.problems.last?.reason.contains("duplicate id 006A, first seen on line 2") == true, "\(plan.problems)")
    }

    @Test func aMappingNamingAnUnknownFieldOrStageIsRefused() throws {
        let dir = TemporaryDirectory()
        #expect(throws: ImportError.self) { try load(mappingJSON.replacingOccurrences(of: "\"owner\"", with: "\"ownr\""), dir: dir) }
        #expect(throws: ImportError.self) { try load(mappingJSON.replacingOccurrences(of: "\"poc\"", with: "\"demo\""), dir: dir) }
        #expect(throws: ImportError.self) { try load("{ not json", dir: dir) }
    }

    @Test func anUnknownDateFormatIsRefusedListingTheAcceptedOnes() throws {
        let dir = TemporaryDirectory()
        let error = try #require(throws: ImportError.self) {
            try load(mappingJSON.replacingOccurrences(of: "MM/DD/YYYY", with: "M/D/YY"), dir: dir)
        }
        #expect(error.reason == "date_format 'M/D/YY' is not one of the accepted formats: YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY")
    }

    @Test func aSecondRowWithTheSameIdIsRefusedNamingTheFirst() throws {
        let dir = TemporaryDirectory()
        let mapping = try load(mappingJSON, dir: dir)
        let csv = "Opportunity ID,Opportunity Name,Account Name,Owner,Amount,Stage,Created Date,Close Date\n"
            + "006A,Pilot,Acme,bo,900,Prospecting,01/15/2026,\n006A,Fleet,Acme,bo,900,Prospecting,01/16/2026,\n"
        let plan = try mapping.plan(CSVTable(data: Data(csv.utf8), file: "export.csv"))
        #expect(plan.records.count == 1 && plan.records[0].finalValues["title"] == .text("Pilot"))
        #expect(plan.problems.map(\.description) == ["export.csv:3: duplicate id 006A, first seen on line 2: give each row its own id, or remove one of the two rows"])
    }

    /// No owner column: the importing user owns the deals; no date columns: stamped on the import day.
    @Test func aMappingWithoutOwnerOrDatesGivesTheImporterAndTheImportDay() throws {
        let dir = TemporaryDirectory()
        let mapping = try dir.write(#"{ "source": "lean", "id": "Id", "fields": { "title": "Name" } }"#, to: "m.json")
        let csv = try dir.write("Id,Name\nL1,Pilot\n", to: "lean.csv")
        let today = Day(Date())
        let plan = try Importer.plan(file: csv, mapping: mapping, preset: nil)
        #expect(plan.records.first?.writes.allSatisfy { $0.day == today } == true)
        #expect(plan.notes == ["1 deal(s) have no source date (the mapping names no \"created\" or \"closed\" column): their fields are stamped at the import, \(today)"])
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "ana")
        let result = try Importer.apply(plan, to: replica, skipBad: false)
        let deal = try #require(try replica.rows(of: "deals").first)
        #expect(deal.value["owner"] == .text("ana"))
        #expect(result.notes.last?.hasPrefix("1 deal(s) have no owner in the source: owned by you (ana)") == true)
        let ownerChange = try #require(try replica.history(table: .deals, row: deal.key, field: "owner").first)
        #expect(ownerChange.change.hlc.milliseconds >= UInt64(today.startMilliseconds))
    }
}
