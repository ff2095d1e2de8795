import Foundation
import GSPCore
import GSPStore

/// How a `Value` sits in three SQLite columns: its kind tag, a payload and a currency.
/// Reals are stored as their bit pattern, because SQLite turns NaN into NULL.
enum StoredValue {
    static func columns(_ value: Value) -> (kind: SQLValue, payload: SQLValue, currency: SQLValue) {
        let kind = SQLValue.integer(Int64(value.kind.rawValue))
        switch value {
        case .null: return (kind, .null, .null)
        case .integer(let v): return (kind, .integer(v), .null)
        case .money(let m): return (kind, .integer(m.minorUnits), .text(m.currency))
        case .real(let d): return (kind, .integer(Int64(bitPattern: d.bitPattern)), .null)
        case .text(let t): return (kind, .text(t), .null)
        case .date(let d): return (kind, .integer(Int64(d.daysSinceEpoch)), .null)
        case .bool(let b): return (kind, .integer(b ? 1 : 0), .null)
        }
    }

    /// Reads back what `columns` wrote, starting at column `at` of `row`.
    static func decode(_ row: Row, at index: Int) throws(ServerStoreError) -> Value {
        let tag = row.integer(index)
        guard let kind = ValueKind(rawValue: UInt8(truncatingIfNeeded: tag)), tag >= 0, tag < 256 else {
            throw ServerStoreError("stored value has an unknown kind tag \(tag): the database was written by a newer gsp-server")
        }
        let payload = row[index + 1]
        switch kind {
        case .null: return .null
        case .integer: return .integer(payload.integer ?? 0)
        case .money: return .money(Money(minorUnits: payload.integer ?? 0, currency: row.text(index + 2)))
        case .real: return .real(Double(bitPattern: UInt64(bitPattern: payload.integer ?? 0)))
        case .text: return .text(payload.text ?? "")
        case .date: return .date(Day(daysSinceEpoch: Int32(truncatingIfNeeded: payload.integer ?? 0)))
        case .bool: return .bool((payload.integer ?? 0) != 0)
        }
    }
}

extension HLC {
    /// SQLite integers are signed: the 64 bits are kept as they are.
    var sql: SQLValue { .integer(Int64(bitPattern: rawValue)) }
    init(sql: Int64) { self.init(rawValue: UInt64(bitPattern: sql)) }
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
