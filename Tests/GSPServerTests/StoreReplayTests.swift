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
