import Foundation
import Testing
import GSPCore
import GSPClient
@testable import GSPImport
import GSPTestSupport

/// A cell over the wire's string limit was imported, then blocked that change and every later
/// change of the replica from ever reaching the server. It is a bad row now, with its line.
@Suite struct UncarriableCellTests {
    static let mapping = #"{ "source": "acme", "id": "ID", "fields": { "title": "Name", "account": "Account", "next_step": "Next" } }"#

    func files(_ dir: TemporaryDirectory) throws -> (csv: URL, mapping: URL) {
        let csv = dir.url.appendingPathComponent("p.csv"), mapping = dir.url.appendingPathComponent("map.json")
        try Data(Self.mapping.utf8).write(to: mapping)
        let big = String(repeating: "x", count: 1_200_000)
        try Data("ID,Name,Account,Next\n1,small deal,Acme,ok\n2,big deal,Acme,\(big)\n".utf8).write(to: csv)
        return (csv, mapping)
    }

    @Test func aCellOverTheLimitIsABadRowWithItsLine() throws {
        let dir = TemporaryDirectory()
        let (csv, mapping) = try files(dir)
        let r = try Replica.create(at: dir.path("r.sqlite"), user: "importer")
        let refused = #expect(throws: ImportRefused.self) {
            try Importer.apply(try Importer.plan(file: csv, mapping: mapping, preset: nil), to: r, skipBad: false)
        }
        #expect(refused?.problems.count == 1)
        let problem = refused?.problems.first
        #expect(problem?.line == 3 && problem?.file.hasSuffix("p.csv") == true)
        #expect(problem?.reason.contains("deals.next_step") == true && problem?.reason.contains("1,114,112") == true)
        #expect((refused?.description.count ?? .max) < 2_000, "the message does not carry the cell")
        #expect(try r.pendingCount() == 0)
    }

    @Test func skippingBadRowsImportsTheRest() throws {
        let dir = TemporaryDirectory()
        let (csv, mapping) = try files(dir)
        let r = try Replica.create(at: dir.path("r.sqlite"), user: "importer")
        let result = try Importer.apply(try Importer.plan(file: csv, mapping: mapping, preset: nil), to: r, skipBad: true)
        #expect(result.skipped.map(\.line) == [3])
        let deals = try r.rows(of: "deals")
        #expect(deals.count == 1 && deals.values.first?["title"] == .text("small deal"))
    }
}
