import Foundation
import GSPCore
import GSPPostgres

/// How a `Value` sits in four PostgreSQL columns: kind, an integer, bytes and a currency.
/// Text goes in a bytea column: PostgreSQL text cannot hold a NUL character, a Value can.
struct PostgresValueColumns {
    var kind: Int64
    var integer: Int64?
    var bytes: [UInt8]?
    var currency: String?

    init(_ value: Value) {
        kind = Int64(value.kind.rawValue)
        switch value {
        case .null: break
        case .integer(let v): integer = v
        case .money(let m): integer = m.minorUnits; currency = m.currency
        case .real(let d): integer = Int64(bitPattern: d.bitPattern)
        case .text(let t): bytes = Array(t.utf8)
        case .date(let d): integer = Int64(d.daysSinceEpoch)
        case .bool(let b): integer = b ? 1 : 0
        }
    }

    func write(to rows: inout CopyRows) {
        rows.integer(kind)
        rows.integer(integer)
        rows.bytea(bytes)
        rows.text(currency)
    }

    /// Reads back the four columns starting at `column`.
    static func decode(_ result: PostgresResult, _ row: Int, _ column: Int) throws(ServerStoreError) -> Value {
        let tag = result.integer(row, column)
        guard tag >= 0, tag < 256, let kind = ValueKind(rawValue: UInt8(tag)) else {
            throw ServerStoreError("stored value has an unknown kind tag \(tag): the database was written by a newer gsp-server")
        }
        let integer = result.integer(row, column + 1)
        switch kind {
        case .null: return .null
        case .integer: return .integer(integer)
        case .money: return .money(Money(minorUnits: integer, currency: result.text(row, column + 3)))
        case .real: return .real(Double(bitPattern: UInt64(bitPattern: integer)))
        case .text: return .text(result.text(row, column + 2))
        case .date: return .date(Day(daysSinceEpoch: Int32(truncatingIfNeeded: integer)))
        case .bool: return .bool(integer != 0)
        }
    }
}

extension PostgresResult {
    /// A change stored as tbl, rid, field, kind, ival, tval, currency, hlc, node, prev from `column` on.
    func change(_ row: Int, from column: Int = 0) throws -> Change {
        guard let rowID = UUID(uuidString: text(row, column + 1)), let node = NodeID(text(row, column + 8)) else {
            throw ServerStoreError("stored row or node id is not a UUID (\(text(row, column)) \(text(row, column + 1)))")
        }
        return Change(table: text(row, column), row: rowID, field: text(row, column + 2),
                      value: try PostgresValueColumns.decode(self, row, column + 3),
                      hlc: HLC(sql: integer(row, column + 7)), node: node, prev: HLC(sql: integer(row, column + 9)))
    }
}
