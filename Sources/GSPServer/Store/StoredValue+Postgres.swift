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

/// Values as four parallel arrays (kind, integer, bytes, currency), for `unnest` in a
/// multi-row statement: one parameter per column, whatever the number of rows.
struct PostgresValueArrays {
    private var kinds: [Int64] = [], integers: [Int64?] = [], bytes: [[UInt8]?] = [], currencies: [String?] = []

    mutating func append(_ value: Value) {
        let columns = PostgresValueColumns(value)
        kinds.append(columns.kind)
        integers.append(columns.integer)
        bytes.append(columns.bytes)
        currencies.append(columns.currency)
    }

    /// `smallint[]`, `bigint[]`, `bytea[]`, `text[]`, in that order.
    var parameters: [PostgresParameter] {
        [.integerArray(kinds), .optionalIntegerArray(integers), .byteaArray(bytes), .optionalTextArray(currencies)]
    }
}

/// Changes as parallel arrays in the order of the `fields` and `history` columns
/// (tbl, rid, field, kind, ival, tval, currency, hlc, node, prev) plus the writer's name.
struct PostgresChangeArrays {
    private(set) var count = 0
    private var tables: [String] = [], rows: [String] = [], fields: [String] = []
    private var values = PostgresValueArrays()
    private var hlcs: [Int64] = [], nodes: [String] = [], prevs: [Int64] = [], users: [String] = []
    private var lastRow: RowID?, lastRowText = "", lastNode: NodeID?, lastNodeText = ""

    var isEmpty: Bool { count == 0 }

    mutating func append(_ change: Change, user: String) {
        count += 1
        // A push's changes come from one node and in runs per row: their text is made once per run.
        if change.row != lastRow {
            lastRow = change.row
            lastRowText = change.row.lowercased
        }
        if change.node != lastNode {
            lastNode = change.node
            lastNodeText = change.node.description
        }
        tables.append(change.table); rows.append(lastRowText); fields.append(change.field)
        values.append(change.value)
        hlcs.append(Int64(bitPattern: change.hlc.rawValue)); nodes.append(lastNodeText)
        prevs.append(Int64(bitPattern: change.prev.rawValue)); users.append(user)
    }

    /// Eleven parameters: `$n::text[]` three times, the value's four, then hlc, node, prev, usr.
    var parameters: [PostgresParameter] {
        [.textArray(tables), .textArray(rows), .textArray(fields)] + values.parameters
            + [.integerArray(hlcs), .textArray(nodes), .integerArray(prevs), .textArray(users)]
    }

    /// `unnest(...)` over the eleven parameters from `$first` on, typed, as `alias(tbl, ..., usr)`.
    static func unnest(from first: Int, as alias: String) -> String {
        let types = ["text", "text", "text", "smallint", "bigint", "bytea", "text", "bigint", "text", "bigint", "text"]
        let arguments = types.enumerated().map { "$\(first + $0.offset)::\($0.element)[]" }.joined(separator: ", ")
        return "unnest(\(arguments)) AS \(alias)(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr)"
    }
}

extension PostgresResult {
    /// A UUID stored as text: parsed in place when canonical (as the store writes them), else by Foundation.
    func uuid(_ row: Int, _ column: Int) -> UUID? {
        withBytes(row, column) { UUID(canonicalUTF8: $0) } ?? UUID(uuidString: text(row, column))
    }

    /// A change stored as tbl, rid, field, kind, ival, tval, currency, hlc, node, prev from `column` on.
    func change(_ row: Int, from column: Int = 0) throws -> Change {
        guard let rowID = uuid(row, column + 1), let node = uuid(row, column + 8).map(NodeID.init) else {
            throw ServerStoreError("stored row or node id is not a UUID (\(text(row, column)) \(text(row, column + 1)))")
        }
        return Change(table: text(row, column), row: rowID, field: text(row, column + 2),
                      value: try PostgresValueColumns.decode(self, row, column + 3),
                      hlc: HLC(sql: integer(row, column + 7)), node: node, prev: HLC(sql: integer(row, column + 9)))
    }
}
