import Foundation
@testable import GSPClient
import GSPCore
import GSPStore
import GSPTestSupport

/// A fresh replica in its own temporary folder, with a stopped wall clock so stamps are predictable.
struct TestReplica {
    let directory = TemporaryDirectory("gsp-client")
    let replica: Replica
    static let start: UInt64 = 1_780_000_000_000

    init(user: String = "alice", clock: WallClock = .fixed(TestReplica.start)) throws {
        replica = try Replica.create(at: directory.path("replica.sqlite"), user: user, wallClock: clock)
    }
}

/// Everything a bad command must leave unchanged: every stored row of every table, and the clock.
struct ReplicaSnapshot: Equatable {
    let tables: [String: [String]]

    init(_ replica: Replica) throws {
        var tables: [String: [String]] = [:]
        for table in ["meta", "fields", "history", "pending", "refused", "nodes"] {
            tables[table] = try replica.database.query("SELECT * FROM \(table)") { row in
                (0..<row.count).map { "\(row[$0])" }.joined(separator: "|")
            }.sorted()
        }
        self.tables = tables
    }
}

extension Replica {
    /// A deal a few steps along, for tests that need one.
    func dealInStage(_ stage: Stage) throws -> RowID {
        let id = try createDeal(title: "Port", account: "Acme", value: try Money.parse("45000 USD"))
        if stage >= .proofOfConcept { try advance(id.lowercased, to: .proofOfConcept) }
        if stage >= .keyAgreement { try advance(id.lowercased, to: .keyAgreement) }
        return id
    }
}
