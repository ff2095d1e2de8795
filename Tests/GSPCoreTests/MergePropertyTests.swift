import Testing
@testable import GSPCore
import GSPTestSupport

/// The merge must be commutative, associative and idempotent over any delivery order.
@Suite struct MergePropertyTests {
    @Test(arguments: 0..<40)
    func anyDeliveryOrderWithDuplicatesConverges(round: Int) {
        let seed = TestSeed.derive(round)
        var rng = SeededGenerator(seed: seed)
        let changes = RandomChanges.make(count: 300, rows: 6, fields: 3, nodes: 4, using: &rng)
        var reference = MergedState()
        reference.apply(changes)

        for _ in 0..<8 {
            var delivery = changes + changes.shuffled(using: &rng).prefix(50)
            delivery.shuffle(using: &rng)
            var state = MergedState()
            state.apply(delivery)
            #expect(state == reference, "seed \(seed): order-dependent merge")
        }
    }

    @Test(arguments: 0..<20)
    func mergingPartialStatesIsAssociative(round: Int) {
        let seed = TestSeed.derive(1000 + round)
        var rng = SeededGenerator(seed: seed)
        let changes = RandomChanges.make(count: 200, rows: 4, fields: 2, nodes: 3, using: &rng)
        let a = Array(changes[..<70]), b = Array(changes[70..<140]), c = Array(changes[140...])
        func merged(_ parts: [[Change]]) -> MergedState {
            var s = MergedState()
            for p in parts { s.apply(p) }
            return s
        }
        // (a + b) + c versus a + (b + c), where (b + c) is first merged down to its winners.
        var bc = MergedState()
        bc.apply(b + c)
        #expect(merged([a + b, c]) == merged([a, Array(bc.winners.values)]), "seed \(seed)")
    }

    @Test func exactHLCTieIsBrokenByNodeBytesUnsigned() {
        let low = NodeID(bytes: [0x7F] + Array(repeating: 0, count: 15))
        let high = NodeID(bytes: [0x80] + Array(repeating: 0, count: 15))
        let row = RowID()
        let hlc = HLC(milliseconds: 1_000)
        let a = Change(table: "deals", row: row, field: "title", value: .text("A"), hlc: hlc, node: low)
        let b = Change(table: "deals", row: row, field: "title", value: .text("B"), hlc: hlc, node: high)
        var s1 = MergedState(), s2 = MergedState()
        s1.apply([a, b]); s2.apply([b, a])
        #expect(s1.value(a.key) == .text("B"))
        #expect(s2.value(a.key) == .text("B"))
    }

    @Test func concurrentEditIsReportedWithTheOverwrittenValue() {
        let row = RowID(), n1 = NodeID(), n2 = NodeID()
        let base = Change(table: "deals", row: row, field: "stage", value: .text("poc"), hlc: HLC(milliseconds: 10), node: n1)
        let mine = Change(table: "deals", row: row, field: "stage", value: .text("kpi"), hlc: HLC(milliseconds: 20), node: n1, prev: base.hlc)
        let theirs = Change(table: "deals", row: row, field: "stage", value: .text("bau"), hlc: HLC(milliseconds: 30), node: n2, prev: base.hlc)
        var s = MergedState()
        s.apply(base)
        #expect(s.apply(mine) == .replaced(previous: base, concurrent: false))
        #expect(s.apply(theirs) == .replaced(previous: mine, concurrent: true))
        #expect(s.apply(mine) == .lost(winner: theirs, concurrent: true))
    }
}

@Suite struct ConcurrencyRuleTests {
    @Test func aWriterWhoSawLaterEditsThanOursIsNotConcurrent() {
        // This store has the imported "poc" (t=10). A rep advanced poc -> kpi (t=20) -> pis (t=30);
        // we only ever receive the latest value, pis, whose prev is kpi's stamp: not a conflict.
        let row = RowID(), importer = NodeID(), rep = NodeID()
        let poc = Change(table: "deals", row: row, field: "stage", value: .text("poc"), hlc: HLC(milliseconds: 10), node: importer)
        let pis = Change(table: "deals", row: row, field: "stage", value: .text("pis"), hlc: HLC(milliseconds: 30), node: rep, prev: HLC(milliseconds: 20))
        #expect(!Merge.isConcurrent(pis, with: poc))
        var state = MergedState()
        state.apply(poc)
        #expect(state.apply(pis) == .replaced(previous: poc, concurrent: false))
    }

    @Test func aWriterWhoSawAnOlderValueIsConcurrent() {
        let row = RowID(), a = NodeID(), b = NodeID()
        let current = Change(table: "deals", row: row, field: "next_step", value: .text("call"), hlc: HLC(milliseconds: 20), node: a, prev: HLC(milliseconds: 10))
        let late = Change(table: "deals", row: row, field: "next_step", value: .text("mail"), hlc: HLC(milliseconds: 25), node: b, prev: HLC(milliseconds: 10))
        let fresh = Change(table: "deals", row: row, field: "next_step", value: .text("visit"), hlc: HLC(milliseconds: 26), node: b, prev: .zero)
        #expect(Merge.isConcurrent(late, with: current))
        #expect(Merge.isConcurrent(fresh, with: current))
    }
}
