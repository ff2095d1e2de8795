import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// After a restore every replica sends again what it holds, other people's values included.
/// A rep relaying a value only a manager may write (a gate override) must not be refused for
/// what the server already holds, and must not get it stored by naming the manager's node.
@Suite("Server store, every backend: values a rep relays for others")
struct RelayedChangeTests {
    @Test(arguments: StoreBackend.available)
    func aStoredOverrideSentAgainByARepChangesNothingAndAForgedOneIsRefused(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var meg = Writer()
        let deal = RowID()
        let override = meg.change("deals", deal, "stage_override", .text("imported from CRM"))
        try fixture.store.push(meg.deal(deal, owner: "alice") + [meg.change("deals", deal, "stage", .text("kpi")), override],
                               as: manager, node: meg.node)
        let before = try fixture.store.pullAll(user: manager).changes
        let service = SyncService(store: fixture.store)
        func push(_ changes: [IncomingChange]) throws -> MergeOutcome {
            try service.sync(SyncInput(node: NodeID(), knownEpoch: nil, cursor: 0, pageSize: 10, changes: changes), user: alice).outcome
        }

        // Alice's replica pulled the override and sends it again, exactly as stored.
        let replay = try push([IncomingChange(seq: 7, change: override.change)])
        #expect(replay.refusals.isEmpty, "a replay of a stored value is no refusal: \(replay.refusals)")
        #expect(replay.acknowledged == 7 && replay.accepted == 0)

        // Naming the manager's node does not make a new value the manager's: a new stamp, or
        // another value under the stored stamp, is refused.
        var newStamp = override.change
        newStamp.hlc = HLC(milliseconds: meg.clock + 10)
        newStamp.value = .text("alice says so")
        var otherValue = override.change
        otherValue.value = .text("alice says so")
        let forged = try push([IncomingChange(seq: 8, change: newStamp), IncomingChange(seq: 9, change: otherValue)])
        #expect(forged.refusals.map(\.seq) == [8, 9])
        #expect(forged.refusals.allSatisfy { $0.kind == .forbidden })
        #expect(forged.acknowledged == 9)
        #expect(try fixture.store.pullAll(user: manager).changes == before, "nothing a rep sent changed the server")
    }
}
