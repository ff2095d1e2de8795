import Foundation
import GSPCore
import GSPStore

extension SQLiteServerStore {
    /// Rows are read one at a time, so the page stops reading where its byte budget ends.
    public func pull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> PullPage {
        var assembly = PullPageAssembly(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes)
        return try queue.snapshot { db in
            let lastSeq = UInt64(try db.scalar("SELECT value FROM meta WHERE key = 'last_seq'")?.text.flatMap(UInt64.init) ?? 0)
            let columns = "f.tbl, f.row, f.field, f.kind, f.value, f.currency, f.hlc, f.node, f.prev, f.user, f.seq"
            let sql: String
            var arguments: [SQLValue] = [.integer(Int64(clamping: cursor))]
            if user.role == .manager {
                sql = "SELECT \(columns) FROM fields f WHERE f.seq > ? ORDER BY f.seq LIMIT ?"
            } else {
                // A rep sees shared tables and the rows of the deals they own.
                let shared = Scope.sharedTables.map { "'\($0)'" }.joined(separator: ", ")
                sql = """
                    SELECT \(columns) FROM fields f
                    LEFT JOIN rows r ON r.tbl = f.tbl AND r.row = f.row
                    LEFT JOIN deal_owners o ON o.deal = r.deal
                    WHERE f.seq > ? AND (f.tbl IN (\(shared)) OR o.owner = ?)
                    ORDER BY f.seq LIMIT ?
                    """
                arguments.append(.text(user.name))
            }
            arguments.append(.integer(Int64(assembly.rowsToRead)))
            let statement = try db.prepare(sql)
            try statement.bind(arguments)
            while let row = try statement.step() {
                guard let rowID = UUID(uuidString: row.text(1)), let node = NodeID(row.text(7)) else {
                    throw ServerStoreError("stored row or node id is not a UUID (\(row.text(0)) \(row.text(1)))")
                }
                let change = Change(table: row.text(0), row: rowID, field: row.text(2), value: try StoredValue.decode(row, at: 3),
                                    hlc: HLC(sql: row.integer(6)), node: node, prev: HLC(sql: row.integer(8)))
                if !assembly.add(change, writer: row.text(9), seq: UInt64(row.integer(10))) { break }
            }
            return try assembly.page(lastSeq: lastSeq) { after, through in try droppedRows(for: user.name, after: after, through: through, in: db) }
        }
    }

    /// Rows that left the user's scope in (after, through] and are not back in it.
    private func droppedRows(for user: String, after: UInt64, through: UInt64, in db: Database) throws -> [RowRef] {
        let rows = try db.query("""
            SELECT DISTINCT s.tbl, s.row FROM scope_log s
            LEFT JOIN rows r ON r.tbl = s.tbl AND r.row = s.row
            LEFT JOIN deal_owners o ON o.deal = r.deal
            WHERE s.user = ? AND s.seq > ? AND s.seq <= ? AND (o.owner IS NULL OR o.owner <> s.user)
            """, [.text(user), .integer(Int64(clamping: after)), .integer(Int64(clamping: through))]) { row in
            (row.text(0), row.text(1))
        }
        return rows.compactMap { table, row in UUID(uuidString: row).map { RowRef(table: table, row: $0) } }
    }
}
