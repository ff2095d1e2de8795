import Foundation
import GSPCore

/// The peer workload: `replicas` replicas start from the same base (`deals` deals x 12 fields),
/// each makes `updates` random field updates offline, and all are merged into one.
/// Generated with the same SplitMix64 draws as bench/peer/loro_peer.py, so Loro and GSP Sync
/// merge exactly the same updates; `digest` lets the two sides check they agree.
struct PeerWorkload {
    static let fields = ["title", "account", "contact", "region", "owner", "stage",
                         "next_step", "product", "amount", "probability", "close_day", "active"]
    static let words = ["Nordlicht", "Sakura", "Atlas", "Pampa", "Kestrel", "Orion", "Hanse", "Lumen",
                        "Zeta", "Kappa", "Delta", "Sigma", "Tundra", "Mistral", "Sirocco", "Monsoon"]
    /// 2026-01-01: the base is written the day before the replicas' edits.
    static let editStart: UInt64 = 1_767_225_600_000

    struct Edit {
        var deal: Int
        var field: Int
        var value: Value
    }

    let replicas: Int, updates: Int, deals: Int, seed: UInt64
    let rows: [RowID]
    let baseNode: NodeID
    let nodes: [NodeID]
    /// The peer ids Loro uses for the same replicas (their node ids' first 8 bytes).
    let peers: [UInt64]
    let base: [[Value]]
    let edits: [[Edit]]

    init(replicas: Int, updates: Int, deals: Int, seed: UInt64) {
        self.replicas = replicas
        self.updates = updates
        self.deals = deals
        self.seed = seed
        var rng = Mix(state: seed)
        rows = (0..<deals).map { _ in
            let a = rng.next(), b = rng.next()
            return UUID(bytes: Self.littleEndian(a) + Self.littleEndian(b))
        }
        let basePeer = rng.next()
        peers = (0..<replicas).map { _ in rng.next() }
        baseNode = Self.node(basePeer)
        nodes = peers.map(Self.node)
        let base = (0..<deals).map { _ in (0..<12).map { Self.value(field: $0, rng: &rng) } }
        self.base = base
        edits = (0..<replicas).map { _ in
            var seen: [Int: Value] = [:]
            return (0..<updates).map { _ in
                let deal = Int(rng.next() % UInt64(deals)), field = Int(rng.next() % 12)
                // A write of the value the replica already sees is no edit (Loro drops it): draw again.
                let current = seen[deal * 12 + field] ?? base[deal][field]
                var value = Self.value(field: field, rng: &rng)
                while value == current { value = Self.value(field: field, rng: &rng) }
                seen[deal * 12 + field] = value
                return Edit(deal: deal, field: field, value: value)
            }
        }
    }

    /// The base as changes from one node, stamped before every edit.
    var baseChanges: [Change] {
        var out: [Change] = []
        out.reserveCapacity(deals * 12)
        for (d, row) in base.enumerated() {
            for (f, value) in row.enumerated() {
                out.append(Change(table: "deals", row: rows[d], field: Self.fields[f], value: value,
                                  hlc: baseHLC(deal: d, field: f), node: baseNode))
            }
        }
        return out
    }

    func baseHLC(deal: Int, field: Int) -> HLC {
        HLC(milliseconds: Self.editStart - 86_400_000 + UInt64(deal * 12 + field))
    }

    /// Replica `r`'s edits as changes: edit k is stamped k x 7 s after the start, so the
    /// winner of a field is the greatest (k, node) — the same as Loro's (Lamport, peer) here.
    func changes(replica r: Int) -> [Change] {
        var seen: [Int: HLC] = [:]
        return edits[r].enumerated().map { k, edit in
            let hlc = HLC(milliseconds: Self.editStart + UInt64(k) * 7_000)
            let key = edit.deal * 12 + edit.field
            let prev = seen[key] ?? baseHLC(deal: edit.deal, field: edit.field)
            seen[key] = hlc
            return Change(table: "deals", row: rows[edit.deal], field: Self.fields[edit.field], value: edit.value,
                          hlc: hlc, node: nodes[r], prev: prev)
        }
    }

    var expectedDigest: String { Self.digest(rows: rows, state: expected.map { $0.map { Optional($0) } }) }

    /// The state every correct merge must reach, computed without any merge code.
    var expected: [[Value]] {
        var state = base
        var stamp: [Int: (Int, UInt64)] = [:]
        for (r, mine) in edits.enumerated() {
            for (k, edit) in mine.enumerated() {
                let key = edit.deal * 12 + edit.field
                if let s = stamp[key], s >= (k, peers[r]) { continue }
                stamp[key] = (k, peers[r])
                state[edit.deal][edit.field] = edit.value
            }
        }
        return state
    }

    /// A merged state as [deal][field], nil where a field is missing.
    static func table(rows: [RowID], merged: [FieldKey: Value]) -> [[Value?]] {
        rows.map { row in Self.fields.map { merged[FieldKey(table: "deals", row: row, field: $0)] } }
    }

    /// FNV-1a 64 over "uuid,field,value" lines in deal order, as loro_peer.py computes it.
    static func digest(rows: [RowID], state: [[Value?]]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for (d, row) in state.enumerated() {
            for (f, value) in row.enumerated() {
                let text: String
                switch value {
                case .text(let s)?: text = s
                case .integer(let i)?: text = String(i)
                case .bool(let b)?: text = b ? "true" : "false"
                default: text = "<missing>"
                }
                for b in "\(rows[d].lowercased),\(Self.fields[f]),\(text)\n".utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func value(field: Int, rng: inout Mix) -> Value {
        func below(_ n: UInt64) -> UInt64 { rng.next() % n }
        switch field {
        case 0:
            let w = words[Int(below(16))]
            return .text("\(w) rollout \(below(1000))")
        case 1..<6: return .text("\(words[Int(below(16))]) \(fields[field])")
        case 6:
            let w = words[Int(below(16))]
            return .text("call \(w) back in \(below(30)) days")
        case 7: return .text("Phone X\(below(9))")
        case 8: return .integer(Int64(below(1_000_000)) * 100)
        case 9: return .integer(Int64(below(101)))
        case 10: return .integer(20_000 + Int64(below(800)))
        default: return .bool(below(4) != 0)
        }
    }

    static func node(_ peer: UInt64) -> NodeID {
        NodeID(bytes: withUnsafeBytes(of: peer.bigEndian) { Array($0) } + littleEndian(peer))
    }

    static func littleEndian(_ x: UInt64) -> [UInt8] { withUnsafeBytes(of: x.littleEndian) { Array($0) } }

    /// SplitMix64, the same sequence as loro_peer.py's.
    struct Mix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
