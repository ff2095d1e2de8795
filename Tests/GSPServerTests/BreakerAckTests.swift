import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// Faults found by adversarial testing: acknowledgements the client acts on by deleting its outbox.
@Suite("Server store, every backend: acknowledgements under hostile or odd sequences")
struct BreakerAckTests {
    /// A local sequence of 2^63 or more is legal on the wire (a 64-bit varint); it used to
    /// trap converting to a SQLite integer and take the whole server down.
    @Test(arguments: StoreBackend.available) func aHugeLocalSequenceDoesNotCrashTheServer(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        var change = writer.change("accounts", RowID(), "name", .text("Acme"))
        change.seq = UInt64.max
        let outcome = try fixture.store.push([change], as: alice, node: writer.node)
        #expect(outcome.refusals.isEmpty)
        #expect(outcome.acknowledged == UInt64.max)
        #expect(try fixture.store.pullAll(user: manager).changes.count == 1)
    }

    /// The acknowledgement must never cover sequences the push did not carry: the client
    /// deletes every pending change up to it. A user who learnt another node's id (the pull's
    /// node directory names every writer) could otherwise push a high sequence under that id
    /// and make the victim's next multi-batch sync silently drop the batches not yet sent.
    @Test(arguments: StoreBackend.available) func anotherRequestsHighSequenceIsNotAcknowledgedToThisPush(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var victim = Writer(), attacker = Writer()
        var poison = attacker.change("accounts", RowID(), "name", .text("x"))
        poison.seq = 1 << 40
        try fixture.store.push([poison], as: alice, node: victim.node)   // alice names the manager's node

        // The manager's replica pushes its first batch of 1..3 (more are waiting on the device).
        let deal = RowID()
        let batch = victim.deal(deal, owner: "bob") + [victim.change("deals", deal, "stage", .text("poc"))]
        let outcome = try fixture.store.push(batch, as: manager, node: victim.node)
        #expect(outcome.acknowledged == 3, "only the pushed sequences may be acknowledged")
    }

    @Test(arguments: StoreBackend.available) func anEmptyPushAcknowledgesNothing(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        let deal = RowID()
        #expect(try fixture.store.push(writer.deal(deal, owner: "bob"), as: manager, node: writer.node).acknowledged == 2)
        #expect(try fixture.store.push([], as: manager, node: writer.node).acknowledged == 0)
        #expect(try fixture.store.acknowledged(node: writer.node) == 2)
    }
}
