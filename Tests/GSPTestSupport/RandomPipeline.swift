import Foundation
import GSPCore

/// Seeded random pipelines for report tests: deals that move forwards and backwards, get
/// reassigned, lost, won, reopened and deleted, and fields two replicas edit concurrently
/// (often at the same millisecond, so ties fall to the node id). Values in several currencies.
public enum RandomPipeline {
    /// Three writers; bob's node id starts with 0xF0 so an unsigned byte order matters.
    public static let nodes = [NodeID(bytes: [0x01] + [UInt8](repeating: 7, count: 15)),
                               NodeID(bytes: [0xF0] + [UInt8](repeating: 0, count: 15)),
                               NodeID(bytes: [0x7F] + [UInt8](repeating: 0xFF, count: 15))]
    public static let users = ["alice", "bob", "carol"]
    public static let currencies = ["USD", "EUR", "JPY"]
    /// 2026-01-01 00:00 UTC.
    public static let start: UInt64 = 1_767_225_600_000
    public static let day: UInt64 = 86_400_000

    /// `deals` deals over about four months from `start`, each change in its own HLC.
    public static func history(deals: Int, using rng: inout SeededGenerator) -> [Change] {
        var out: [Change] = []
        var counters: [String: UInt16] = [:]  // node and millisecond -> next counter
        var seen: [String: HLC] = [:]          // row and field -> the latest HLC written
        func write(_ row: RowID, _ field: String, _ value: Value, at ms: UInt64, by n: Int, stale: Bool = false) {
            let key = "\(n)/\(ms)"
            let counter = counters[key, default: 0]
            counters[key] = counter + 1
            let hlc = HLC(milliseconds: ms, counter: counter)
            let fieldKey = "\(row)/\(field)"
            out.append(Change(table: "deals", row: row, field: field, value: value, hlc: hlc, node: nodes[n],
                              prev: stale ? .zero : seen[fieldKey] ?? .zero))
            seen[fieldKey] = max(seen[fieldKey] ?? .zero, hlc)
        }
        for i in 0..<deals {
            let row = RowID(bytes: [0xDE, UInt8(i >> 8), UInt8(i & 0xFF)] + [UInt8](repeating: 0, count: 13))
            var t = start + UInt64.random(in: 0..<40, using: &rng) * day + UInt64.random(in: 0..<8, using: &rng) * 3_600_000
            let creator = Int.random(in: 0..<3, using: &rng)
            func money() -> Value {
                .money(Money(minorUnits: Int64.random(in: 1...5_000, using: &rng) * 100,
                             currency: currencies.randomElement(using: &rng)!))
            }
            for (field, value) in [("title", Value.text("Deal \(i)")), ("owner", .text(users[creator])),
                                   ("region", .text(["EMEA", "APAC", "NA"][i % 3])), ("value", money()),
                                   ("stage", .text("bau")), ("outcome", .text("open"))] {
                write(row, field, value, at: t, by: creator)
            }
            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                // Whole days, or the same millisecond as the last write: ties happen.
                t += Bool.random(using: &rng) ? 0 : UInt64.random(in: 1...12, using: &rng) * day
                let n = Int.random(in: 0..<3, using: &rng)
                let stage = Value.text(Stage.allCases.randomElement(using: &rng)!.rawValue)
                switch Int.random(in: 0..<10, using: &rng) {
                case 0...2: write(row, "stage", stage, at: t, by: n)
                case 3:  // two replicas move the stage offline, neither seeing the other
                    let other = (n + 1) % 3
                    write(row, "stage", stage, at: t, by: n, stale: true)
                    write(row, "stage", .text(Stage.allCases.randomElement(using: &rng)!.rawValue),
                          at: t + UInt64.random(in: 0...1, using: &rng), by: other, stale: true)
                case 4:  // concurrent value edits, often in different currencies
                    write(row, "value", money(), at: t, by: n, stale: true)
                    write(row, "value", money(), at: t, by: (n + 2) % 3, stale: true)
                case 5: write(row, "owner", .text(users[n]), at: t, by: n)
                case 6:
                    write(row, "outcome", .text("lost"), at: t, by: n)
                    write(row, "lost_reason", .text(["price", "timing", "competitor"].randomElement(using: &rng)!), at: t, by: n)
                    if Bool.random(using: &rng) { write(row, "lost_stage", stage, at: t, by: n) }
                case 7: write(row, "outcome", .text(Bool.random(using: &rng) ? "won" : "open"), at: t, by: n)
                case 8: write(row, "deleted", .bool(Int.random(in: 0..<4, using: &rng) == 0), at: t, by: n)
                default: write(row, "value", money(), at: t, by: n)
                }
            }
        }
        return out
    }
}
