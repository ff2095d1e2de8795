import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    /// One page in one REPEATABLE READ snapshot, so `last_seq` and the rows agree: one round
    /// trip for a manager, two for a rep (whose dropped rows depend on where the page ends).
    public func pull(user: User, cursor: UInt64, limit: Int) throws -> PullPage {
        var assembly = PullPageAssembly(user: user, cursor: cursor, limit: limit)
        let columns = "f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr, f.seq"
        let after = PostgresParameter.integer(Int64(clamping: cursor)), count = PostgresParameter.integer(Int64(assembly.rowsToRead))
        var statements = [
            PostgresStatement("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            PostgresStatement("SELECT last_seq FROM sequence_allocator WHERE id = 1"),
        ]
        if user.role == .manager {
            statements.append(PostgresStatement("SELECT \(columns) FROM fields f WHERE f.seq > $1 ORDER BY f.seq LIMIT $2", [after, count]))
            statements.append(PostgresStatement("COMMIT"))
        } else {
            // A rep sees shared tables and the rows of the deals they own.
            statements.append(PostgresStatement("""
                SELECT \(columns) FROM fields f
                LEFT JOIN row_deals r ON r.tbl = f.tbl AND r.rid = f.rid
                LEFT JOIN deal_owners o ON o.deal = r.deal
                WHERE f.seq > $1 AND (f.tbl = ANY($3::text[]) OR o.owner = $4)
                ORDER BY f.seq LIMIT $2
                """, [after, count, .textArray(Scope.sharedTables.sorted()), .text(user.name)]))
        }
        return try run { db in
            do {
                let results = try db.pipeline(statements)
                let lastSeq = UInt64(max(0, results[1].integer(0, 0)))
                let rows = results[2]
                for i in 0..<rows.rowCount {
                    if !assembly.add(try rows.change(i), writer: rows.text(i, 10), seq: UInt64(rows.integer(i, 11))) { break }
                }
                let page = try assembly.page(lastSeq: lastSeq) { after, through in
                    // Same snapshot; the read-only transaction ends with this read.
                    let results = try db.pipeline([droppedRows(for: user.name, after: after, through: through), PostgresStatement("COMMIT")])
                    return (0..<results[0].rowCount).compactMap { i in
                        UUID(uuidString: results[0].text(i, 1)).map { RowRef(table: results[0].text(i, 0), row: $0) }
                    }
                }
                if db.inTransaction { try db.execute("COMMIT") }
                return page
            } catch {
                if db.isHealthy && db.inTransaction { _ = try? db.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Rows that left the user's scope in (after, through] and are not back in it: table, row.
    private func droppedRows(for user: String, after: UInt64, through: UInt64) -> PostgresStatement {
        PostgresStatement("""
            SELECT DISTINCT s.tbl, s.rid FROM scope_log s
            LEFT JOIN row_deals r ON r.tbl = s.tbl AND r.rid = s.rid
            LEFT JOIN deal_owners o ON o.deal = r.deal
            WHERE s.usr = $1 AND s.seq > $2 AND s.seq <= $3 AND (o.owner IS NULL OR o.owner <> s.usr)
            """, [.text(user), .integer(Int64(clamping: after)), .integer(Int64(clamping: through))])
    }
}
