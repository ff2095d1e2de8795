import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    /// One page in one REPEATABLE READ snapshot, so `last_seq` and the rows agree.
    public func pull(user: User, cursor: UInt64, limit: Int) throws -> PullPage {
        let limit = max(1, limit)
        return try run { db in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                let lastSeq = UInt64(max(0, try db.execute("SELECT last_seq FROM sequence_allocator WHERE id = 1").integer(0, 0)))
                let columns = "f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr, f.seq"
                let rows: PostgresResult
                let after = PostgresParameter.integer(Int64(clamping: cursor)), count = PostgresParameter.integer(Int64(limit) + 1)
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
                var changes: [Change] = []
                var nodes: [NodeID: String] = [:]
                var lastReturned = cursor
                // The query asks for one row more than the limit: its presence means there is more.
                let hasMore = rows.rowCount > limit
                for i in 0..<min(limit, rows.rowCount) {
                    let change = try rows.change(i)
                    changes.append(change)
                    nodes[change.node] = rows.text(i, 10)
                    lastReturned = UInt64(rows.integer(i, 11))
                }
                // Without more, every visible change up to last_seq was returned: the cursor moves there.
                let newCursor = hasMore ? lastReturned : max(cursor, lastSeq)
                let dropped = user.role == .manager ? [] : try droppedRows(for: user.name, after: cursor, through: newCursor, in: db)
                return PullPage(changes: changes, dropped: dropped, nodes: nodes, cursor: newCursor, hasMore: hasMore)
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
