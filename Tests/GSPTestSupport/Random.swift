import Foundation
import GSPCore

/// A small, fast, seedable generator (SplitMix64) so random tests can be replayed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The base seed of a test run: `GSP_TEST_SEED` to replay one, else fixed, so CI is repeatable.
public enum TestSeed {
    public static let base: UInt64 = ProcessInfo.processInfo.environment["GSP_TEST_SEED"].flatMap(UInt64.init) ?? 20_261_203
    public static func derive(_ n: Int) -> UInt64 { base &+ UInt64(n) &* 0x9E37_79B9 }
}

/// Random histories for merge property tests: few rows and nodes, so collisions and ties happen.
public enum RandomChanges {
    public static func make(count: Int, rows: Int, fields: Int, nodes: Int,
                            using rng: inout SeededGenerator) -> [Change] {
        let rowIDs = (0..<rows).map { _ in RowID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        let nodeIDs = (0..<nodes).map { _ in NodeID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        return (0..<count).map { _ in
            let hlc = HLC(milliseconds: UInt64.random(in: 1...40, using: &rng), counter: UInt16.random(in: 0...2, using: &rng))
            return Change(table: "deals", row: rowIDs.randomElement(using: &rng)!,
                          field: "f\(Int.random(in: 0..<fields, using: &rng))",
                          value: randomValue(using: &rng), hlc: hlc,
                          node: nodeIDs.randomElement(using: &rng)!,
                          prev: HLC(milliseconds: UInt64.random(in: 0...40, using: &rng)))
        }
    }

    public static func randomValue(using rng: inout SeededGenerator) -> Value {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: .null
        case 1: .integer(Int64.random(in: .min ... .max, using: &rng))
        case 2: .money(Money(minorUnits: Int64.random(in: -1_000_000...1_000_000, using: &rng), currency: ["USD", "EUR", "JPY"].randomElement(using: &rng)!))
        case 3: .real(Double(bitPattern: rng.next()))
        case 4: .text(["", "a", "ü", "👩‍👩‍👧", "שלום", "'; DROP TABLE deals; --"].randomElement(using: &rng)!)
        case 5: .date(Day(daysSinceEpoch: Int32.random(in: -1000...30000, using: &rng)))
        default: .bool(Bool.random(using: &rng))
        }
    }
}

extension SeededGenerator {
    /// A row id drawn from the generator, so a seeded test names the same rows on every run.
    public mutating func rowID() -> RowID { RowID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &self) }) }
    /// A node id drawn from the generator.
    public mutating func nodeID() -> NodeID { NodeID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &self) }) }
}

/// Long text that deflate cannot shrink much: printable ASCII drawn at random (about 6.6 bits
/// a byte), for values near the wire's string limit.
public enum BigText {
    public static func make(bytes: Int, using rng: inout SeededGenerator) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes)
        while out.count < bytes {
            var word = rng.next()
            for _ in 0..<8 where out.count < bytes {
                out.append(0x21 + UInt8(word % 94))
                word /= 94
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
