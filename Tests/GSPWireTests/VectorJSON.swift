import Foundation
import GSPCore
import GSPWire

/// Renders a decoded message as the vectors' expected JSON (SPEC.md section 10): sorted keys,
/// 64-bit numbers as decimal strings, so every language's JSON reader keeps them exact.
enum VectorJSON {
    indirect enum J {
        case string(String), int(Int64), bool(Bool), null, array([J]), object([(String, J)])
    }

    static func render(_ message: Message, minor: UInt8) -> String {
        var fields: [(String, J)] = [("minor", .int(Int64(minor)))]
        switch message {
        case .request(let m):
            fields += [("kind", .string("request")), ("node", id(m.node.uuid)), ("schemaVersion", .int(Int64(m.schemaVersion))),
                       ("knownEpoch", m.knownEpoch.map(id) ?? .null), ("cursor", u64(m.cursor)), ("pageSize", .int(Int64(m.pageSize))),
                       ("changes", .array(m.changes.map { change($0.change, seq: $0.seq) }))]
        case .response(let m):
            fields += [("kind", .string("response")), ("epoch", id(m.epoch)), ("serverTime", u64(m.serverTime.rawValue)),
                       ("acknowledged", u64(m.acknowledged)), ("cursor", u64(m.cursor)), ("hasMore", .bool(m.hasMore)),
                       ("refusals", .array(m.refusals.map { .object([("seq", u64($0.seq)), ("code", .int(Int64($0.code.rawValue))), ("reason", .string($0.reason))]) })),
                       ("changes", .array(m.changes.map { change($0, seq: nil) })),
                       ("dropped", .array(m.dropped.map { .object([("table", .string($0.table)), ("row", id($0.row))]) })),
                       ("nodes", .array(m.nodes.sorted { $0.key < $1.key }.map { .object([("node", id($0.key.uuid)), ("name", .string($0.value))]) }))]
        case .error(let m):
            fields += [("kind", .string("error")), ("code", .int(Int64(m.code.rawValue))), ("message", .string(m.message)),
                       ("serverTime", m.serverTime.map { u64($0.rawValue) } ?? .null)]
        }
        var out = ""
        write(.object(fields), into: &out, indent: "")
        return out + "\n"
    }

    static func id(_ u: UUID) -> J { .string(u.uuidString.lowercased()) }
    static func u64(_ v: UInt64) -> J { .string(String(v)) }

    static func change(_ c: Change, seq: UInt64?) -> J {
        var f: [(String, J)] = [("table", .string(c.table)), ("row", id(c.row)), ("field", .string(c.field)),
                                ("value", value(c.value)), ("hlc", u64(c.hlc.rawValue)), ("node", id(c.node.uuid)),
                                ("prev", u64(c.prev.rawValue))]
        if let seq { f.append(("seq", u64(seq))) }
        return .object(f)
    }

    static func value(_ v: Value) -> J {
        switch v {
        case .null: .object([("type", .string("null"))])
        case .integer(let i): .object([("type", .string("integer")), ("value", .string(String(i)))])
        case .money(let m): .object([("type", .string("money")), ("minorUnits", .string(String(m.minorUnits))), ("currency", .string(m.currency))])
        case .real(let d):
            .object([("type", .string("real")), ("bits", .string(String(repeating: "0", count: 16 - String(d.bitPattern, radix: 16).count) + String(d.bitPattern, radix: 16)))])
        case .text(let t): .object([("type", .string("text")), ("value", .string(t))])
        case .date(let d): .object([("type", .string("date")), ("days", .int(Int64(d.daysSinceEpoch)))])
        case .bool(let b): .object([("type", .string("bool")), ("value", .bool(b))])
        }
    }

    static func write(_ j: J, into out: inout String, indent: String) {
        switch j {
        case .string(let s): out += quote(s)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += indent + "  "
                write(item, into: &out, indent: indent + "  ")
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let fields):
            // Changes and values stay on one line each; the message itself is one field a line.
            let flat = fields.allSatisfy { if case .array = $0.1 { false } else { true } } && !indent.isEmpty
            let sorted = fields.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            out += flat ? "{" : "{\n"
            for (i, (k, v)) in sorted.enumerated() {
                if !flat { out += indent + "  " }
                out += quote(k) + ": "
                write(v, into: &out, indent: indent + "  ")
                if i + 1 < sorted.count { out += flat ? ", " : ",\n" } else if !flat { out += "\n" }
            }
            out += flat ? "}" : indent + "}"
        }
    }

    /// JSON string with only the escapes JSON requires; everything else stays as UTF-8.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
