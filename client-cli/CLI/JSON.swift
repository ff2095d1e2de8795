import Foundation
import GSPCore
import GSPPipeline

/// A JSON value with ordered object keys and numbers kept as exact text, so output is
/// stable and money or large integers never pass through a float.
enum JSON {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    static func integer<T: BinaryInteger>(_ v: T) -> JSON { .number(String(v)) }
    static func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }

    /// Money as {"amount": "45000.00", "currency": "USD"}: exact decimal text, never a float.
    static func money(_ m: Money?) -> JSON {
        guard let m else { return .null }
        return .object([("amount", .string(m.amountText)), ("currency", .string(m.currency))])
    }

    /// A field value: integers as numbers, reals as numbers (or "nan"/"inf"/"-inf"), dates as "YYYY-MM-DD".
    static func value(_ v: Value) -> JSON {
        switch v {
        case .null: .null
        case .integer(let i): .integer(i)
        case .money(let m): money(m)
        case .real(let d): d.isFinite ? .number(d.description) : .string(d.isNaN ? "nan" : (d < 0 ? "-inf" : "inf"))
        case .text(let s): .string(s)
        case .date(let day): .string(day.description)
        case .bool(let b): .bool(b)
        }
    }

    /// An HLC's physical time as an ISO 8601 UTC timestamp with milliseconds.
    static func time(_ hlc: HLC) -> JSON { .string(Format.time(hlc)) }

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return JSON.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { pad + JSON.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)}"
        }
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}

/// Text formatting shared by the commands.
enum Format {
    /// Characters of a value a listing shows (every table: `gsp pending`, `history`, `deal
    /// list`, `deal show`); the rest is left out with its size noted. `--json` keeps whole values.
    static let longestCell = 200

    static func time(_ hlc: HLC) -> String {
        let date = Date(timeIntervalSince1970: Double(hlc.milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Minutes as hours with 2 decimals. In 128 bits: any 64-bit `minutes` a replica may
    /// hold (another client can sync any integer) must print, not trap.
    static func hours(minutes: Int64) -> String {
        let hundredths = (Int128(minutes) * 100 + 30) / 60
        let whole = hundredths.magnitude / 100, fraction = hundredths.magnitude % 100
        return (hundredths < 0 ? "-" : "") + "\(whole)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// Rows of cells as aligned columns.
    /// Columns of text, each cell on one line: control characters in a cell are shown escaped.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map(cell) }
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A number as people type it: "30" rather than "30.0", "2.5" as is.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A table cell: "\n", "\r", "\t" and other control characters written as escapes, so a row
    /// stays one line; over `longestCell` characters, shortened.
    static func cell(_ long: String) -> String {
        let text = ValueLimits.abbreviated(long, to: longestCell)
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.properties.generalCategory == .control: out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
