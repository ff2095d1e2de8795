import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    /// Merges a push in one transaction, in two round trips to PostgreSQL (see `PostgresMergeSession`).
    ///
    /// Cursor safety with several servers: the transaction first locks the one row of
    /// `sequence_allocator` (`SELECT ... FOR UPDATE`) and keeps the lock until it commits. So
    /// merges run one at a time, each hands out sequences above every committed one, and
    /// PostgreSQL makes a transaction visible before it releases its locks: a pull that sees
    /// sequence N sees every sequence below N. Without the lock, a merge holding 101-200 could
    /// commit after one holding 201-300, and a pull in between would move a cursor past 200
    /// for good, missing 101-200 forever (the out-of-order commit hole). A push with no valid
    /// change hands out no sequence, so it takes no lock: it only records its acknowledgement.
    public func merge(changes: [IncomingChange], user: User, node: NodeID, now: Date) throws -> MergeOutcome {
        try run { db in
            do {
                let (session, merged) = try PushMerge.run(changes, user: user) { valid in
                    try PostgresMergeSession(db: db, user: user, now: now, intent: BatchIntent(changes), changes: valid)
                }
                let pushedMax = changes.map(\.seq).max() ?? 0
                // As in SQLite: a push acknowledges exactly what it carried, never a stored high-water mark.
                try session.commit(then: [PostgresStatement("""
                    INSERT INTO acks(node, usr, acknowledged, last_seen) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (node) DO UPDATE SET acknowledged = greatest(acks.acknowledged, excluded.acknowledged),
                        usr = excluded.usr, last_seen = excluded.last_seen
                    """, [.text(node.description), .text(user.name), .integer(Int64(clamping: pushedMax)), .integer(now.milliseconds)])])
                // Only now, after the commit: nothing acknowledged is ever lost.
                return MergeOutcome(acknowledged: pushedMax, refusals: merged.refusals, accepted: merged.accepted, maxHLC: merged.maxHLC)
            } catch {
                // A failed transaction stays open until rolled back (the pool would do it too, later).
                if db.isHealthy && db.inTransaction { _ = try? db.execute("ROLLBACK") }
                throw error
            }
        }
    }
}
