import Foundation
import Testing
import GSPCore
import GSPClient
@testable import GSPImport
import GSPTestSupport

/// A messy export through the whole import into a real replica: a byte-order mark, CRLF,
/// quoted fields with commas, doubled quotes and line breaks, and a row with missing columns.
@Suite struct CSVImportEdgeTests {
    static let mapping = """
    { "source": "edge-crm", "id": "Id",
      "fields": { "title": "Name", "account": "Account", "owner": "Owner", "value": "Amount", "next_step": "Next" },
      "currency": "USD", "date_format": "YYYY-MM-DD",
      "stage": { "column": "Stage", "values": { "New": "bau", "Demo": "poc" } },
      "created": "Created" }
    """
    // Line 3's Next holds a CRLF line break, so the record after it starts on line 5.
    static let csv = "\u{FEFF}Id,Name,Account,Owner,Amount,Stage,Created,Next\r\n"
        + "A1,\"Fleet, phase 2\",\"Müller \"\"Best\"\" GmbH\",ana,\"12,500.50\",New,2026-03-07,\r\n"
        + "A2,Pilot,Acme,bo,900,Demo,2026-01-15,\"call Tuesday,\r\nthen visit\"\r\n"
        + "A3,Short,Acme,bo\r\n"
        + "A4,\"\",Acme,bo,1,New,2026-01-15,\r\n"

    @Test func aMappingWithoutATitleColumnIsRefused() throws {
        let dir = TemporaryDirectory()
        let url = dir.url.appendingPathComponent("m.json")
        try Data(Self.mapping.replacingOccurrences(of: "\"title\": \"Name\", ", with: "").utf8).write(to: url)
        #expect(throws: ImportError.self) { try MappingFile.load(url) }
    }

    @Test func anUpdatedFileUpdatesOnlyWhatChanged() throws {
        let dir = TemporaryDirectory()
        let mapping = dir.url.appendingPathComponent("m.json"), csv = dir.url.appendingPathComponent("export.csv")
        try Data(Self.mapping.utf8).write(to: mapping)
        let header = "Id,Name,Account,Owner,Amount,Stage,Created,Next\n"
        try Data((header + "A1,Fleet,Acme,ana,100,New,2026-01-05,\nA2,Pilot,Beta,bo,900,Demo,2026-01-15,call\n").utf8).write(to: csv)
        let r = try Replica.create(at: dir.path("r.sqlite"), user: "importer")
        _ = try Importer.apply(try Importer.plan(file: csv, mapping: mapping, preset: nil), to: r, skipBad: false)
        let before = try r.rows(of: "deals")
        let pending = try r.pendingCount()

        // A1's amount and stage changed in the source; A2 did not.
        try Data((header + "A1,Fleet,Acme,ana,150,Demo,2026-01-05,\nA2,Pilot,Beta,bo,900,Demo,2026-01-15,call\n").utf8).write(to: csv)
        let result = try Importer.apply(try Importer.plan(file: csv, mapping: mapping, preset: nil), to: r, skipBad: false)
        #expect(result.summary.rowsChanged == 1)
        let after = try r.rows(of: "deals")
        let a1 = try #require(after.first { $0.value["title"] == .text("Fleet") })
        #expect(a1.value["value"] == .money(Money(minorUnits: 15_000, currency: "USD")))
        #expect(a1.value["stage"] == .text("poc"))
        let a2 = try #require(after.first { $0.value["title"] == .text("Pilot") })
        #expect(a2.value == before[a2.key], "an unchanged row is left alone")
        #expect(try r.pendingCount() == pending + result.summary.changesWritten)
        // The old amount stays in the history, the new one wins.
        let values = try r.history(table: .deals, row: a1.key, field: "value").map(\.change.value)
        #expect(values.contains(.money(Money(minorUnits: 10_000, currency: "USD"))) && values.count == 2)
        // Re-importing the updated file changes nothing more.
        #expect(try Importer.apply(try Importer.plan(file: csv, mapping: mapping, preset: nil), to: r, skipBad: false).summary.changesWritten == 0)
    }

    func files(_ dir: TemporaryDirectory) throws -> (csv: URL, mapping: URL) {
        let csv = dir.url.appendingPathComponent("export.csv"), mapping = dir.url.appendingPathComponent("m.json")
        try Data(Self.csv.utf8).write(to: csv)
        try Data(Self.mapping.utf8).write(to: mapping)
        return (csv, mapping)
    }

    @Test func badRowsAreNamedByLineAndNothingIsImportedWithoutSkipBad() throws {
        let dir = TemporaryDirectory()
        let (csv, mapping) = try files(dir)
        let plan = try Importer.plan(file: csv, mapping: mapping, preset: nil)
        #expect(plan.problems.map(\.line) == [5, 6], "\(plan.problems)")
        #expect(plan.problems.allSatisfy { $0.file.hasSuffix("export.csv") })
        #expect(plan.problems.first?.reason.contains("expected 8 columns, found 4") == true)
        #expect(plan.problems.last?.reason == "Name is empty: every deal needs a title")
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "importer")
        #expect(throws: ImportRefused.self) { try Importer.apply(plan, to: replica, skipBad: false) }
        #expect(try replica.pendingCount() == 0 && replica.rows(of: "deals").isEmpty)

        let result = try Importer.apply(plan, to: replica, skipBad: true)
        #expect(result.skipped.map(\.line) == [5, 6])
        let deals = Array(try replica.rows(of: "deals").values)
        #expect(deals.count == 2)
        let fleet = try #require(deals.first { $0["title"] == .text("Fleet, phase 2") })
        #expect(fleet["account"] == .text("Müller \"Best\" GmbH"))
        #expect(fleet["value"] == .money(Money(minorUnits: 1_250_050, currency: "USD")))
        let pilot = try #require(deals.first { $0["title"] == .text("Pilot") })
        #expect(pilot["next_step"] == .text("call Tuesday,\r\nthen visit"))
        #expect(pilot["stage"] == .text("poc"))
    }
}
