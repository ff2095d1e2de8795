import Foundation
import GSPCore
import GSPStore

/// The reports benchmark's pipeline: exactly 20 changes per deal (100,000 deals make 2 million),
/// with stage moves forwards and backwards, lost and won deals, and concurrent value edits by
/// managers; and the same history in SQLite, shaped like the server store's `history` table.
enum BenchReportsData {
    static let changesPerDeal = 20
    /// 2024-01-01 00:00 UTC; the deals start over the following 500 days.
    static let start: UInt64 = 1_704_067_200_000
    static let day: UInt64 = 86_400_000
    /// "Now" for the live reports (ages and stalled deals): 2025-09-01.
    static let now: UInt64 = start + 609 * day

    static func history(deals: Int) -> [Change] {
        var rng = SplitMix(seed: 2026)
        let reps = (0..<40).map { NodeID(bytes: [UInt8](repeating: UInt8($0 + 1), count: 16)) }
        let managers = (0..<5).map { NodeID(bytes: [0xF0 + UInt8($0)] + [UInt8](repeating: 0, count: 15)) }
        var out: [Change] = []
        out.reserveCapacity(deals * changesPerDeal)
        for i in 0..<deals {
            let row = RowID(bytes: withUnsafeBytes(of: UInt64(i).bigEndian, Array.init) + [0xB, 0, 0, 0, 0, 0, 0, 0])
            let owner = reps[i % 40], manager = managers[i % 5]
            var t = start + UInt64(rng.next(500)) * day + UInt64(rng.next(36_000_000))
            var counter: UInt16 = 0
            var written = 0
            var lastHLC: [String: HLC] = [:]
            func put(_ field: String, _ value: Value, by node: NodeID, stale: Bool = false) {
                let hlc = HLC(milliseconds: t, counter: counter)
                counter += 1
                out.append(Change(table: "deals", row: row, field: field, value: value, hlc: hlc, node: node,
                                  prev: stale ? .zero : lastHLC[field] ?? .zero))
                lastHLC[field] = hlc
                written += 1
            }
            func later() { t += UInt64(1 + rng.next(30)) * day; counter = 0 }
            let currency = i % 3 == 0 ? "EUR" : "USD"
            put("title", .text("Deal \(i)"), by: owner)
            put("owner", .text("rep\(i % 40)"), by: owner)
            put("region", .text(["EMEA", "APAC", "NA"][i % 3]), by: owner)
            put("manager", .text("mgr\(i % 5)"), by: owner)
            put("account", .text("Account \(i % 5_000)"), by: owner)
            put("value", .money(Money(minorUnits: Int64(1 + rng.next(100_000)) * 100, currency: currency)), by: owner)
            put("expected_close", .date(Day(year: 2025, month: 1 + i % 12, day: 1)), by: owner)
            put("outcome", .text("open"), by: owner)
            put("stage", .text("bau"), by: owner)
            var stage = 0
            for _ in 0..<rng.next(7) {
                later()
                // Mostly forward, sometimes back; never the same stage twice in a row.
                stage = stage == 6 || (stage > 0 && rng.next(100) < 15) ? stage - 1 : stage + 1
                put("stage", .text(Stage.allCases[stage].rawValue), by: owner)
            }
            switch rng.next(100) {
            case 0..<10:
                later()
                put("outcome", .text("lost"), by: owner)
                put("lost_reason", .text(["price", "timing", "competitor"][i % 3]), by: owner)
            case 10..<25:
                later()
                put("outcome", .text("won"), by: owner)
            default: break
            }
            while written < changesPerDeal {
                later()
                if written == changesPerDeal - 1 && i % 5 == 0 {
                    // A manager's offline value edit that never saw the owner's.
                    put("value", .money(Money(minorUnits: Int64(1 + rng.next(100_000)) * 100, currency: currency)), by: manager, stale: true)
                } else {
                    put("next_step", .text("step \(written)"), by: owner)
                }
            }
        }
        return out
    }

    /// The history in a scratch SQLite file, in the server store's `history` layout, indexed
    /// for the hand-written queries.
    static func load(_ history: [Change]) throws -> Database {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-reports-\(UUID().uuidString).sqlite").path
        let db = try Database(path: path)
        try db.execute("""
            PRAGMA synchronous=OFF;
            CREATE TABLE history (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
                kind TEXT NOT NULL, value, currency TEXT, hlc INTEGER NOT NULL, node TEXT NOT NULL, prev INTEGER NOT NULL);
            """)
        let insert = try db.prepare("INSERT INTO history (tbl, row, field, kind, value, currency, hlc, node, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try db.transaction {
            for c in history {
                let (kind, value, currency): (String, SQLValue, SQLValue) = switch c.value {
                case .text(let s): ("text", .text(s), .null)
                case .money(let m): ("money", .integer(m.minorUnits), .text(m.currency))
                case .date(let d): ("date", .integer(Int64(d.daysSinceEpoch)), .null)
                case .bool(let b): ("bool", .integer(b ? 1 : 0), .null)
                case .integer(let n): ("integer", .integer(n), .null)
                case .real(let r): ("real", .real(r), .null)
                case .null: ("null", .null, .null)
                }
                try insert.run([.text(c.table), .text(c.row.lowercased), .text(c.field), .text(kind), value, currency,
                                .integer(Int64(bitPattern: c.hlc.rawValue)), .text(c.node.description),
                                .integer(Int64(bitPattern: c.prev.rawValue))])
            }
        }
        try db.execute("CREATE INDEX history_field ON history (tbl, field, row, hlc, node)")
        try db.execute("ANALYZE")
        return db
    }

    /// Reads the whole history back into changes, as the server does before a report.
    static func read(_ db: Database) throws -> Int {
        try db.query("SELECT tbl, row, field, kind, value, currency, hlc, node, prev FROM history ORDER BY id") { r -> Change in
            let value: Value = switch r.text(3) {
            case "text": .text(r.text(4))
            case "money": .money(Money(minorUnits: r.integer(4), currency: r.text(5)))
            case "date": .date(Day(daysSinceEpoch: Int32(r.integer(4))))
            default: .null
            }
            return Change(table: r.text(0), row: UUID(uuidString: r.text(1))!, field: r.text(2), value: value,
                          hlc: HLC(rawValue: UInt64(bitPattern: r.integer(6))), node: NodeID(r.text(7))!,
                          prev: HLC(rawValue: UInt64(bitPattern: r.integer(8))))
        }.count
    }
}

/// A small seeded generator (SplitMix64) so every run builds the same pipeline.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
