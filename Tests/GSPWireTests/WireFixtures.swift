import Foundation
import GSPCore
import GSPTestSupport
@testable import GSPWire

/// Random messages with the edge cases of every value type, for round-trip and corruption tests.
enum WireFixtures {
    static let texts: [String] = [
        "", "a", "poc", "ü", "e\u{301}", "\u{0}", "👩‍👩‍👧‍👦", "🏳️‍🌈", "שלום", "مرحبا", "日本語テキスト",
        "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "'; DROP TABLE deals; --", "\u{FEFF}bom", "\u{10FFFF}", "\u{E000}", "𝄞 music",
        "line\nbreak\ttab", "\u{1F600}\u{1F3FD}",
    ]

    static let reals: [UInt64] = [
        0, 0x8000_0000_0000_0000, 1, 0x000F_FFFF_FFFF_FFFF, 0x8000_0000_0000_0001, // zeros and subnormals
        0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, // infinities
        0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFF, 0x7FF4_DEAD_BEEF_0001, // NaN payloads
        Double.pi.bitPattern, Double.greatestFiniteMagnitude.bitPattern,
    ]

    /// One scalar from each Unicode plane in use, skipping surrogates and unassigned gaps the
    /// encoder does not care about (any scalar value is legal UTF-8).
    static func everyPlaneText(using rng: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for plane in 0...16 {
            var value = UInt32(plane) << 16 | UInt32.random(in: 0...0xFFFF, using: &rng)
            if (0xD800...0xDFFF).contains(value) { value = 0x20AC }
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    static func value(using rng: inout SeededGenerator) -> Value {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .null
        case 1: return .integer([Int64.min, .max, 0, -1, 1, Int64.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!)
        case 2:
            let minor = [Int64.min, .max, 0, -5, Int64.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!
            return .money(Money(minorUnits: minor, currency: ["USD", "EUR", "JPY", "KWD", "", "€uro"].randomElement(using: &rng)!))
        case 3:
            let bits = Bool.random(using: &rng) ? reals.randomElement(using: &rng)! : rng.next()
            return .real(Double(bitPattern: bits))
        case 4: return .text(Bool.random(using: &rng) ? texts.randomElement(using: &rng)! : everyPlaneText(using: &rng))
        case 5: return .date(Day(daysSinceEpoch: [Int32.min, .max, 0, -1, Int32.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!))
        default: return .bool(Bool.random(using: &rng))
        }
    }

    static func uuid(using rng: inout SeededGenerator) -> UUID {
        UUID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    static func hlc(using rng: inout SeededGenerator) -> HLC {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return [HLC.zero, HLC(rawValue: .max), HLC(rawValue: 1), HLC(milliseconds: HLC.maxMilliseconds)].randomElement(using: &rng)!
        case 1: return HLC(rawValue: rng.next())
        default: return HLC(milliseconds: 1_767_225_600_000 + UInt64.random(in: 0...1_000_000, using: &rng),
                            counter: UInt16.random(in: 0...3, using: &rng))
        }
    }

    static func changes(_ count: Int, using rng: inout SeededGenerator) -> [Change] {
        let rows = (0..<max(1, count / 3)).map { _ in uuid(using: &rng) }
        let nodes = (0..<3).map { _ in NodeID(uuid(using: &rng)) }
        let tables = ["deals", "kpis", "time_entries", "future_table", "ταμπλό"]
        let fields = ["title", "stage", "amount", "close", "deleted", "x-new-field", "é", "e\u{301}"]
        return (0..<count).map { _ in
            Change(table: tables.randomElement(using: &rng)!, row: rows.randomElement(using: &rng)!,
                   field: fields.randomElement(using: &rng)!, value: value(using: &rng), hlc: hlc(using: &rng),
                   node: nodes.randomElement(using: &rng)!, prev: Bool.random(using: &rng) ? .zero : hlc(using: &rng))
        }
    }

    static func request(using rng: inout SeededGenerator) -> SyncRequest {
        var seq = UInt64.random(in: 0...10, using: &rng)
        let pushed = changes(Int.random(in: 0...40, using: &rng), using: &rng).map { change in
            seq &+= UInt64.random(in: 1...1000, using: &rng)
            return PushedChange(seq: seq, change: change)
        }
        return SyncRequest(node: NodeID(uuid(using: &rng)), schemaVersion: UInt32.random(in: 0 ... .max, using: &rng),
                           knownEpoch: Bool.random(using: &rng) ? nil : uuid(using: &rng),
                           cursor: [0, .max, rng.next()].randomElement(using: &rng)!,
                           pageSize: UInt32.random(in: 0 ... .max, using: &rng), changes: pushed)
    }

    static func response(using rng: inout SeededGenerator) -> SyncResponse {
        let pulled = changes(Int.random(in: 0...40, using: &rng), using: &rng)
        var directory: [NodeID: String] = [:]
        for change in pulled where Bool.random(using: &rng) { directory[change.node] = texts.randomElement(using: &rng)! }
        let refusals = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            Refusal(seq: rng.next(), code: RefusalCode.allCases.randomElement(using: &rng)!, reason: texts.randomElement(using: &rng)!)
        }
        let dropped = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            DroppedRow(table: ["deals", "kpis"].randomElement(using: &rng)!,
                       row: pulled.randomElement(using: &rng)?.row ?? uuid(using: &rng))
        }
        return SyncResponse(epoch: uuid(using: &rng), serverTime: hlc(using: &rng), acknowledged: rng.next(),
                            refusals: refusals, changes: pulled, dropped: dropped, nodes: directory,
                            cursor: rng.next(), hasMore: Bool.random(using: &rng))
    }

    static func error(using rng: inout SeededGenerator) -> ErrorMessage {
        let code = Bool.random(using: &rng) ? ErrorCode.known.randomElement(using: &rng)! : ErrorCode(rawValue: UInt32.random(in: 0 ... .max, using: &rng))
        return ErrorMessage(code: code, message: texts.randomElement(using: &rng)!,
                            serverTime: Bool.random(using: &rng) ? hlc(using: &rng) : nil)
    }

    static func message(using rng: inout SeededGenerator) -> Message {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: .request(request(using: &rng))
        case 1: .response(response(using: &rng))
        default: .error(error(using: &rng))
        }
    }
}
