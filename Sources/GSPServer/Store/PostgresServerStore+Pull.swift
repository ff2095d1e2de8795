import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    /// One page in one REPEATABLE READ snapshot, so `last_seq` and the rows agree.
    public func pull(user: User, cursor: UInt64, limit: Int) throws -> PullPage {
        var assembly = PullPageAssembly(user: user, cursor: cursor, limit: limit)
        return try run { db in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                let lastSeq = UInt64(max(0, try db.execute("SELECT last_seq FROM sequence_allocator WHERE id = 1").integer(0, 0)))
                let columns = "f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr, f.seq"
                let rows: PostgresResult
                let after = PostgresParameter.integer(Int64(clamping: cursor)), count = PostgresParameter.integer(Int64(assembly.rowsToRead))
                if user.role == .manager {
                    rows = try db.execute("SELECT \(columns) FROM fields f WHERE f.seq > $1 ORDER BY f.seq LIMIT $2", [after, count])
                } else {
                    // A rep sees shared tables and the rows of the deals they own.
                    rows = try db.execute("""
                        SELECT \(columns) FROM fields f
                        LEFT JOIN row_deals r ON r.tbl = f.tbl AND r.rid = f.rid
                        LEFT JOIN deal_owners o ON o.deal = r.deal
                        WHERE f.seq > $1 AND (f.tbl = ANY($3::text[]) OR o.owner = $4)
                        ORDER BY f.seq LIMIT $2
                        """, [after, count, .textArray(Scope.sharedTables.sorted()), .text(user.name)])
                }
                for i in 0..<rows.rowCount {
                    if !assembly.add(try rows.change(i), writer: rows.text(i, 10), seq: UInt64(rows.integer(i, 11))) { break }
                }
                return try assembly.page(lastSeq: lastSeq) { after, through in try droppedRows(for: user.name, after: after, through: through, in: db) }
            }
        }
    }

    /// Rows that left the user's scope in (after, through] and are not back in it.
    private func droppedRows(for user: String, after: UInt64, through: UInt64, in db: PostgresConnection) throws -> [RowRef] {
        let rows = try db.execute("""
            SELECT DISTINCT s.tbl, s.rid FROM scope_log s
            LEFT JOIN row_deals r ON r.tbl = s.tbl AND r.rid = s.rid
            LEFT JOIN deal_owners o ON o.deal = r.deal
            WHERE s.usr = $1 AND s.seq > $2 AND s.seq <= $3 AND (o.owner IS NULL OR o.owner <> s.usr)
            """, [.text(user), .integer(Int64(clamping: after)), .integer(Int64(clamping: through))])
        return (0..<rows.rowCount).compactMap { i in
            UUID(uuidString: rows.text(i, 1)).map { RowRef(table: rows.text(i, 0), row: $0) }
        }
    }
}
