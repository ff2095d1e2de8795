import Testing
import GSPCore
import GSPTestSupport

/// The merge against a naive oracle, over thousands of small random change sets dense in
/// exact HLC ties: the winner of every field is the greatest (hlc, node), node ids compared
/// as unsigned bytes; merging is commutative, associative and idempotent.
@Suite struct MergeOracleTests {
    /// Greatest (64-bit HLC, node bytes as unsigned) per field, by brute force.
    static func oracle(_ changes: [Change]) -> [FieldKey: Value] {
        var best: [FieldKey: Change] = [:]
        for c in changes {
            guard let b = best[c.key] else { best[c.key] = c; continue }
            let later = c.hlc.rawValue != b.hlc.rawValue ? c.hlc.rawValue > b.hlc.rawValue
                : zip(c.node.bytes, b.node.bytes).first { $0 != $1 }.map { $0.0 > $0.1 } ?? false
            if later { best[c.key] = c }
        }
        return best.mapValues(\.value)
    }

    static func state(_ parts: [Change]...) -> MergedState {
        var s = MergedState()
        for p in parts { s.apply(p) }
        return s
    }

    @Test(arguments: 0..<4)
    func thousandsOfRandomSetsAgreeWithTheOracle(batch: Int) {
        let seed = TestSeed.derive(7_000 + batch)
        var rng = SeededGenerator(seed: seed)
        for set in 0..<500 {
            // Few rows, fields, nodes and milliseconds: exact ties between nodes are common.
            var changes = RandomChanges.make(count: Int.random(in: 1...40, using: &rng), rows: 2, fields: 2, nodes: 3, using: &rng)
            // One writer never stamps two values with the same HLC.
            var seen = Set<String>()
            changes = changes.filter { seen.insert("\($0.key)/\($0.hlc.rawValue)/\($0.node)").inserted }
            let label = "seed \(seed), set \(set)"
            let merged = Self.state(changes)
            #expect(merged.winners.mapValues(\.value) == Self.oracle(changes), "\(label): wrong winner")
            // Idempotent: everything delivered twice.
            #expect(Self.state(changes, changes) == merged, "\(label): not idempotent")
            // Commutative and associative: three parts in any grouping and order.
            let cut1 = Int.random(in: 0...changes.count, using: &rng), cut2 = Int.random(in: cut1...changes.count, using: &rng)
            let a = Array(changes[..<cut1]), b = Array(changes[cut1..<cut2]), c = Array(changes[cut2...])
            #expect(Self.state(c, b, a) == merged, "\(label): not commutative")
            let bc = Array(Self.state(b, c).winners.values), ab = Array(Self.state(a, b).winners.values)
            #expect(Self.state(a, bc) == Self.state(ab, c), "\(label): not associative")
        }
    }

    @Test func theOracleSeesTiesAndHighBitNodes() {
        var rng = SeededGenerator(seed: TestSeed.derive(7_000))
        var ties = 0
        for _ in 0..<500 {
            let changes = RandomChanges.make(count: 40, rows: 2, fields: 2, nodes: 3, using: &rng)
            let groups = Dictionary(grouping: changes) { "\($0.key)/\($0.hlc.rawValue)" }
            ties += groups.values.filter { Set($0.map(\.node)).count > 1 }.count
        }
        #expect(ties > 200, "exact ties between different nodes: \(ties)")
    }
}
