import Foundation
import Testing
import GSPCore
import GSPServer
import GSPStore
import GSPTestSupport

@Suite("Server store, every backend: merge")
struct StoreMergeTests {
    @Test(arguments: StoreBackend.available) func replayedPushChangesNothing(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        let deal = RowID()
        let batch = writer.deal(deal, owner: "alice") + [writer.change("deals", deal, "stage", .text("poc"))]
        let first = try fixture.store.push(batch, as: manager, node: writer.node)
        #expect(first.accepted == 3)
        #expect(first.acknowledged == 3)
        let before = try fixture.store.pullAll(user: manager)
        let again = try fixture.store.push(batch, as: manager, node: writer.node)
        #expect(again.accepted == 0)
        #expect(again.acknowledged == 3)
        #expect(again.refusals.isEmpty)
        let after = try fixture.store.pullAll(user: manager)
        #expect(after.changes == before.changes)
        #expect(after.cursor == before.cursor, "a replay must not move the server sequence")
        #expect(try fixture.store.history(since: nil, limit: 100).count == 3)
        #expect(try fixture.store.acknowledged(node: writer.node) == 3)
    }

    @Test(arguments: StoreBackend.available) func concurrentWritesAreRecordedAsConflictsWithBothWriters(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var a = Writer(), b = Writer()
        b.clock = a.clock + 100
        let deal = RowID()
        #expect(try fixture.store.push(a.deal(deal, owner: "alice"), as: alice, node: a.node).refusals.isEmpty)
        // Bob's manager edits the title without having seen Alice's: concurrent, and later, so it wins.
        try fixture.store.push([b.change("deals", deal, "title", .text("Bob's title"))], as: manager, node: b.node)
        // Alice edits again, having seen only her own value: concurrent with the manager's winner, and loses.
        let aliceTitle = try #require(try fixture.store.history(since: nil, limit: 10).first { $0.change.field == "title" })
        let retitle = try fixture.store.push([a.change("deals", deal, "title", .text("Alice's retitle"), prev: aliceTitle.change.hlc)], as: alice, node: a.node)
        #expect(retitle.refusals.isEmpty)
        #expect(retitle.accepted == 1)

        let conflicts = try fixture.store.conflicts(since: nil)
        try #require(conflicts.count == 2)
        #expect(conflicts[0].winning.value == .text("Bob's title"))
        #expect(conflicts[0].winning.user == "meg")
        #expect(conflicts[0].losing.value == .text("Deal"))
        #expect(conflicts[0].losing.user == "alice")
        #expect(conflicts[1].winning.value == .text("Bob's title"))
        #expect(conflicts[1].losing.value == .text("Alice's retitle"))
        #expect(conflicts[1].losing.node == a.node)
        #expect(try fixture.store.pullAll(user: manager).changes.value("deals", deal, "title") == .text("Bob's title"))
        let history = try fixture.store.history(since: nil, limit: 10).filter { $0.change.field == "title" }
        #expect(history.map(\.winner) == [true, true, false], "losers are kept in the history too")
    }

    @Test(arguments: StoreBackend.available) func anEditThatSawTheWinnerIsNoConflict(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var a = Writer(), b = Writer()
        b.clock = a.clock + 100
        let deal = RowID()
        let created = a.deal(deal, owner: "alice")
        try fixture.store.push(created, as: manager, node: a.node)
        try fixture.store.push([b.change("deals", deal, "title", .text("New"), prev: created[0].change.hlc)], as: manager, node: b.node)
        #expect(try fixture.store.conflicts(since: nil).isEmpty)
    }

    /// Found by a new user: the same CRM file imported on two replicas (same values, stamped
    /// from the same source dates, by two nodes) gave 19,250 conflicts for one real one. A change
    /// whose value and HLC a stored change of its field already has (another node's twin) adds
    /// nothing anyone did not know: kept in the history, never a conflict. A real conflict in the
    /// same push is still recorded.
    @Test(arguments: StoreBackend.available) func theSameEditMadeOnTwoReplicasIsNoConflict(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var a = Writer(), b = Writer()
        let deal = RowID()
        func timeline(_ w: inout Writer) -> [IncomingChange] {
            w.clock = 1_700_000_000_000   // stamps from the source's dates: the same on both replicas
            let created = w.deal(deal, owner: "alice")
            let bau = w.change("deals", deal, "stage", .text("bau"))
            let won = w.change("deals", deal, "stage", .text("main_contract"), prev: bau.change.hlc)
            return created + [bau, won]
        }
        let first = timeline(&a), second = timeline(&b)
        #expect(try fixture.store.push(first, as: manager, node: a.node).refusals.isEmpty)
        // The second replica's copy arrives in one push with a real edit of another field.
        let edit = b.change("deals", deal, "next_step", .text("call"))
        b.clock = a.clock + 10
        let real = b.change("deals", deal, "title", .text("Renamed"))
        let pushed = try fixture.store.push(second + [edit, real], as: manager, node: b.node)
        #expect(pushed.refusals.isEmpty)
        let conflicts = try fixture.store.conflicts(since: nil)
        #expect(conflicts.map(\.key.field) == ["title"], "\(conflicts.map { "\($0.key.field): \($0.winning.value) | \($0.losing.value)" })")
        #expect(try fixture.store.pullAll(user: manager).changes.value("deals", deal, "stage") == .text("main_contract"))
        #expect(try fixture.store.history(since: nil, limit: 100).count == first.count + second.count + 2, "every accepted change is in the history")
    }

    @Test(arguments: StoreBackend.available) func aConcurrentEditDoesNotResurrectADeletedRow(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var a = Writer(), b = Writer()
        b.clock = a.clock + 100
        let deal = RowID()
        try fixture.store.push(a.deal(deal, owner: "alice"), as: manager, node: a.node)
        try fixture.store.push([a.change("deals", deal, "deleted", .bool(true))], as: manager, node: a.node)
        try fixture.store.push([b.change("deals", deal, "title", .text("Edited offline"))], as: manager, node: b.node)
        let state = try fixture.store.pullAll(user: manager).changes
        #expect(state.value("deals", deal, "deleted") == .bool(true))
        #expect(state.value("deals", deal, "title") == .text("Edited offline"))
    }

    @Test(arguments: StoreBackend.available) func invalidValuesAreRefusedOneByOne(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        let deal = RowID()
        let batch = writer.deal(deal, owner: "alice") + [
            writer.change("deals", deal, "value", .text("lots")),
            writer.change("kpis", RowID(), "deal", .text("not-a-uuid")),
            writer.change("deals", deal, "stage", .text("poc")),
        ]
        let outcome = try fixture.store.push(batch, as: manager, node: writer.node)
        #expect(outcome.refusals.map(\.seq) == [3, 4])
        #expect(outcome.refusals.allSatisfy { $0.kind == .invalidValue })
        #expect(outcome.refusals[0].reason.contains("deals.value holds money"))
        #expect(outcome.acknowledged == 5, "refused changes count as processed")
        #expect(try fixture.store.pullAll(user: manager).changes.count == 3)
    }

    @Test(arguments: StoreBackend.available) func aFailureMidBatchLeavesNothing(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        // A real trigger fails the third change's history insert, inside the merge transaction.
        try fixture.injectFailure(onField: "boom")
        var writer = Writer()
        let deal = RowID()
        let batch = writer.deal(deal, owner: "alice") + [writer.change("deals", deal, "boom", .text("x"))]
        #expect(throws: (any Error).self) { try fixture.store.push(batch, as: manager, node: writer.node) }
        #expect(try fixture.store.pullAll(user: manager).changes.isEmpty)
        #expect(try fixture.store.history(since: nil, limit: 10).isEmpty)
        #expect(try fixture.store.acknowledged(node: writer.node) == 0)
        #expect(try fixture.store.pull(user: manager, cursor: 0, limit: 10).cursor == 0)
    }

    @Test(arguments: StoreBackend.available) func randomDeliveryConvergesToTheReferenceMerge(_ backend: StoreBackend) throws {
        let seed = TestSeed.derive(41)
        print("randomDeliveryConvergesToTheReferenceMerge seed \(seed)")
        var rng = SeededGenerator(seed: seed)
        let fixture = try StoreFixture(backend)
        let changes = RandomChanges.make(count: 300, rows: 4, fields: 3, nodes: 3, using: &rng)
        var reference = MergedState()
        reference.apply(changes)
        // Duplicates on purpose, in random batches.
        var delivery = (changes + changes.prefix(100)).shuffled(using: &rng)
        var localSeq: UInt64 = 0
        while !delivery.isEmpty {
            let batch = delivery.prefix(Int.random(in: 1...40, using: &rng))
            delivery.removeFirst(batch.count)
            try fixture.store.push(batch.map { localSeq += 1; return IncomingChange(seq: localSeq, change: $0) }, as: manager)
        }
        let pulled = try fixture.store.pullAll(user: manager, pageSize: 17).changes
        #expect(pulled.count == reference.winners.count)
        // Every replay recognised, losers' included: each distinct change is stored once.
        let distinct = Set(changes.map { "\($0.key) \($0.hlc.rawValue) \($0.node) \($0.value)" }).count
        #expect(try fixture.store.history(since: nil, limit: 10_000).count == distinct, "seed \(seed)")
        for change in pulled {
            let expected = try #require(reference.winners[change.key])
            #expect(change.value == expected.value && change.stamp == expected.stamp, "seed \(seed): \(change.key)")
        }
    }
}

@Suite("Server store, every backend: values")
struct StoreValueTests {
    @Test(arguments: StoreBackend.available) func everyValueKindRoundTripsExactly(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        let row = RowID()
        let values: [Value] = [
            .null, .integer(.min), .integer(.max), .money(Money(minorUnits: -12_345, currency: "JPY")),
            .real(.nan), .real(-0.0), .real(.infinity), .real(Double.leastNonzeroMagnitude), .text(""), .text("nul\u{0}inside"),
            .text("tab\tnew\nline\\back \"quote\" 日本語 🚀"), .date(Day(daysSinceEpoch: -3)), .bool(true), .bool(false),
        ]
        let batch = values.enumerated().map { writer.change("gadgets", row, "f\($0.offset)", $0.element) }
        #expect(try fixture.store.push(batch, as: manager, node: writer.node).accepted == values.count)
        let pulled = try fixture.store.pullAll(user: manager).changes
        for (index, value) in values.enumerated() {
            let back = try #require(pulled.value("gadgets", row, "f\(index)"))
            if case .real(let d) = value, case .real(let e) = back {
                #expect(d.bitPattern == e.bitPattern, "f\(index)")
            } else {
                #expect(back == value, "f\(index)")
            }
        }
        #expect(try fixture.store.history(since: nil, limit: 100).map(\.change.value).count == values.count)
        #expect(try fixture.store.push(batch, as: manager, node: writer.node).accepted == 0, "a replay with NaN and NUL values is still a replay")
    }
}
