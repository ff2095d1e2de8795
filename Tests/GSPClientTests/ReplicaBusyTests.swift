import Foundation
import Testing
@testable import GSPClient
import GSPStore
import GSPTestSupport

/// Found by a new user: with another program holding the replica's write lock past the 5 s
/// wait, `gsp deal new` failed with "SQLite error 5 (extended 5): database is locked [SQL:
/// BEGIN IMMEDIATE]" and no next step.
@Suite struct ReplicaBusyTests {
    @Test func aReplicaHeldByAnotherProgramSaysSoAndChangesNothing() throws {
        let test = try TestReplica()
        let other = try Database(path: test.directory.path("replica.sqlite"), create: false)
        try other.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: ReplicaError.self) {
            try test.replica.createDeal(title: "Port", account: "Acme")
        }
        #expect(error?.code == .busy)
        #expect(error?.message.contains("is busy: another program") == true && error?.message.contains("try again") == true, "\(error?.message ?? "")")
        try other.execute("ROLLBACK")
        #expect(try test.replica.pendingCount() == 0)
        try test.replica.createDeal(title: "Port", account: "Acme")
        #expect(try test.replica.pendingCount() > 0)
    }
}
