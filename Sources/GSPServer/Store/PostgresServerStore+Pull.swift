import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    /// One page in one REPEATABLE READ snapshot, so `last_seq` and the rows agree: one round
    /// trip for a manager, two for a rep (whose dropped rows depend on where the page ends).
    public func pull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> PullPage {
        try pull(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes, readingEpoch: false).page
    }

    /// The page and the epoch from the same snapshot, in the page's round trips.
    public func epochAndPull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> (epoch: UUID, page: PullPage) {
        let (epoch, page) = try pull(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes, readingEpoch: true)
        guard let epoch else { throw ServerStoreError("the database has no epoch: run 'gsp-server migrate --db URL'") }
        return (epoch, page)
    }

    private func pull(user: User, cursor: UInt64, limit: Int, maxBytes: Int, readingEpoch: Bool) throws -> (epoch: UUID?, page: PullPage) {
        var assembly = PullPageAssembly(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes)
        let columns = "f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr, f.seq"
        let after = PostgresParameter.integer(Int64(clamping: cursor)), count = PostgresParameter.integer(Int64(assembly.rowsToRead))
        var statements = [
            PostgresStatement("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            PostgresStatement("SELECT last_seq FROM sequence_allocator WHERE id = 1"),
        ]
        // The whole result arrives at once, so rows past the byte budget are not sent: a row is
        // kept while the text bytes before it are within the budget, and the first two always
        // (a page holds one change however large, and the next says there is more). Text bytes
        // never exceed a change's `WireSize` bound, so every row the assembly could take, and
        // the first it refuses, are kept.
        let textBytes = "coalesce(octet_length(f.tval), 0)"
        func page(_ from: String, _ filter: String) -> String {
            """
            SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq FROM (
                SELECT \(columns), sum(\(textBytes)) OVER (ORDER BY f.seq ROWS UNBOUNDED PRECEDING) - \(textBytes) AS bytes_before,
                       row_number() OVER (ORDER BY f.seq) AS n
                FROM \(from) WHERE \(filter) ORDER BY f.seq LIMIT $2
            ) p WHERE p.bytes_before <= $3 OR p.n <= 2 ORDER BY p.seq
            """
        }
        let budget = PostgresParameter.integer(Int64(max(0, maxBytes)))
        if user.role == .manager {
            statements.append(PostgresStatement(page("fields f", "f.seq > $1"), [after, count, budget]))
        } else {
            // A rep sees shared tables and the rows of the deals they own.
            statements.append(PostgresStatement(page("""
                fields f LEFT JOIN row_deals r ON r.tbl = f.tbl AND r.rid = f.rid LEFT JOIN deal_owners o ON o.deal = r.deal
                """, "f.seq > $1 AND (f.tbl = ANY($4::text[]) OR o.owner = $5)"),
                [after, count, budget, .textArray(Scope.sharedTables.sorted()), .text(user.name)]))
        }
        if readingEpoch { statements.append(PostgresStatement("SELECT value FROM meta WHERE key = 'epoch'")) }
        // A manager's page is complete here, so the read-only transaction ends in this round trip.
        if user.role == .manager { statements.append(PostgresStatement("COMMIT")) }
        return try run { db in
            do {
                let results = try db.pipeline(statements)
                let lastSeq = UInt64(max(0, results[1].integer(0, 0)))
                let rows = results[2]
                let epoch = readingEpoch && results[3].rowCount == 1 ? UUID(uuidString: results[3].text(0, 0)) : nil
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
                return (epoch, page)
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
