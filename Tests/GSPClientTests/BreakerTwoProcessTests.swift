import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// Found by adversarial testing: `gsp sync` run while another `gsp` edits the same replica
/// failed with "database is locked" (SQLITE_BUSY_SNAPSHOT, extended code 517) at once,
/// without waiting: a one-row read through a cached statement (`meta`) left the statement
/// active, which kept a read snapshot open; once another connection committed, the next
/// `BEGIN IMMEDIATE` on this connection could not upgrade that stale snapshot.
@Suite struct BreakerTwoProcessTests {
    @Test func aTransactionAfterAReadSucceedsWhenAnotherConnectionWroteInBetween() throws {
        let test = try TestReplica()
        let path = test.directory.path("replica.sqlite")
        let first = test.replica
        let second = try Replica.open(at: path)
        // A sync applies a page that touches a field the replica already holds (one-row reads of
        // the current winner), then goes back to the network for the next round...
        let deal = try first.createDeal(title: "Mine", account: "Acme")
        let pulled = Change(table: "deals", row: deal, field: "title", value: .text("Theirs"),
                            hlc: HLC(milliseconds: TestReplica.start + 1_000), node: NodeID())
        try first.applyPulled(changes: [pulled], cursor: 1)
        _ = try first.syncState()
        // ...while another gsp process edits the same replica...
        _ = try second.createDeal(title: "Offline edit", account: "Acme")
        // ...and the sync's next write transaction must wait its turn, not fail.
        try first.applyPulled(changes: [], cursor: 2)
        _ = try first.createDeal(title: "Second", account: "Acme")
        let counts = (try first.pendingCount(), try second.pendingCount())
        #expect(counts.0 == counts.1)
    }
}
