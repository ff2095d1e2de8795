import GSPCore
import GSPStore

/// How a `Value` sits in three SQLite columns (kind, vi, vt) so that it reads back exactly.
///
/// Reals are stored by bit pattern in the integer column: SQLite turns a NaN REAL into
/// NULL, and the bit pattern also keeps -0.0 and NaN payloads. Money keeps integer minor
/// units with the currency as text, never a float.
enum StoredValue {
    static func columns(_ value: Value) -> [SQLValue] {
        switch value {
        case .null: [.integer(Int64(ValueKind.null.rawValue)), .null, .null]
        case .integer(let v): [.integer(Int64(ValueKind.integer.rawValue)), .integer(v), .null]
        case .money(let m): [.integer(Int64(ValueKind.money.rawValue)), .integer(m.minorUnits), .text(m.currency)]
        case .real(let d): [.integer(Int64(ValueKind.real.rawValue)), .integer(Int64(bitPattern: d.bitPattern)), .null]
        case .text(let s): [.integer(Int64(ValueKind.text.rawValue)), .null, .text(s)]
        case .date(let day): [.integer(Int64(ValueKind.date.rawValue)), .integer(Int64(day.daysSinceEpoch)), .null]
        case .bool(let b): [.integer(Int64(ValueKind.bool.rawValue)), .integer(b ? 1 : 0), .null]
        }
    }

    /// Reads the three columns starting at `index`.
    static func read(_ row: Row, at index: Int) throws(ReplicaError) -> Value {
        let raw = row.integer(index)
        guard let kind = ValueKind(rawValue: UInt8(truncatingIfNeeded: raw)), raw >= 0, raw <= 255 else {
            throw ReplicaError(.corrupt, "the replica holds a value of unknown kind \(raw): it was written by a newer gsp; upgrade gsp")
        }
        let vi = row.integer(index + 1)
        switch kind {
        case .null: return .null
        case .integer: return .integer(vi)
        case .money: return .money(Money(minorUnits: vi, currency: row.text(index + 2)))
        case .real: return .real(Double(bitPattern: UInt64(bitPattern: vi)))
        case .text: return .text(row.text(index + 2))
        case .date:
            guard let days = Int32(exactly: vi) else { throw ReplicaError(.corrupt, "the replica holds a date out of range (\(vi) days)") }
            return .date(Day(daysSinceEpoch: days))
        case .bool: return .bool(vi != 0)
        }
    }
}

extension HLC {
    /// The SQLite form: the same 64 bits as a signed integer.
    var sql: SQLValue { .integer(Int64(bitPattern: rawValue)) }
    init(sql: Int64) { self.init(rawValue: UInt64(bitPattern: sql)) }
}

extension NodeID {
    var sql: SQLValue { .text(description) }
}

extension Row {
    func hlc(_ index: Int) -> HLC { HLC(sql: integer(index)) }
    func rowID(_ index: Int) throws(ReplicaError) -> RowID {
        guard let id = RowID(uuidString: text(index)) else { throw ReplicaError(.corrupt, "the replica holds a malformed row id '\(text(index))'") }
        return id
    }
    func node(_ index: Int) throws(ReplicaError) -> NodeID {
        guard let id = NodeID(text(index)) else { throw ReplicaError(.corrupt, "the replica holds a malformed node id '\(text(index))'") }
        return id
    }
}
