import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

@Suite("SQLite store: replays")
struct StoreReplayTests {
    /// What makes a change new to the store: its field, stamp and value (`prev` does not).
    struct Identity: Hashable {
        var key: FieldKey
        var stamp: Stamp
        var value: Value
    }

    /// Replays of winners and of losers, in any order and any batch, add nothing; every
    /// distinct change is accepted once, whether it arrives above or below the winner.
    @Test func everyDistinctChangeIsAcceptedOnceWhateverTheOrder() throws {
        let seed = TestSeed.derive(43)
        print("everyDistinctChangeIsAcceptedOnceWhateverTheOrder seed \(seed)")
        var rng = SeededGenerator(seed: seed)
        let fixture = try StoreFixture()
        let changes = RandomChanges.make(count: 300, rows: 4, fields: 3, nodes: 3, using: &rng)
        let distinct = Set(changes.map { Identity(key: $0.key, stamp: $0.stamp, value: $0.value) }).count
        var delivery = (changes + changes.shuffled(using: &rng).prefix(150)).shuffled(using: &rng)
        var accepted = 0
        var localSeq: UInt64 = 0
        while !delivery.isEmpty {
            let batch = delivery.prefix(Int.random(in: 1...40, using: &rng))
            delivery.removeFirst(batch.count)
            accepted += try fixture.store.push(batch.map { localSeq += 1; return IncomingChange(seq: localSeq, change: $0) },
                                               as: manager).accepted
        }
        #expect(accepted == distinct, "seed \(seed)")
        #expect(try fixture.store.history(since: nil, limit: 10_000).count == distinct, "seed \(seed)")
    }
}

@Suite("Store history pages")
struct StoreHistoryPageTests {
    /// Pages after an id join up to the whole history in commit order, on both backends.
    @Test(arguments: StoreBackend.available) func pagesAfterAnIdCoverTheHistoryOnceInOrder(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer()
        for round in 0..<5 {
            let deal = RowID()
            try fixture.store.push(writer.deal(deal, owner: "alice", title: "Deal \(round)") + [writer.change("deals", deal, "stage", .text("poc"))],
                                   as: alice, node: writer.node)
        }
        let whole = try fixture.store.history(since: nil, limit: 1_000)
        #expect(whole.count == 15)
        var paged: [HistoryEntry] = [], after: Int64 = 0, pages = 0
        while true {
            let page = try fixture.store.history(afterID: after, limit: 4)
            if page.entries.isEmpty {
                #expect(page.lastID == after, "an empty page keeps the caller's place")
                break
            }
            #expect(page.lastID > after)
            paged += page.entries
            after = page.lastID
            pages += 1
        }
        #expect(pages == 4)
        #expect(paged == whole)
    }
}
