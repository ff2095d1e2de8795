import Foundation
import GSPCore
import GSPStore

/// A new server epoch (a restored backup): everything goes up again, everything comes down
/// again, and what the server no longer gives this user leaves the replica.
extension Replica {
    /// The server's store was replaced (a restored backup): pull everything again from cursor 0
    /// and queue every field value this replica holds and every edit made on it, so the server
    /// gets back what it lost.
    /// Last-writer-wins makes re-sending old values harmless. Returns how many were queued.
    @discardableResult
    public func resetForNewEpoch(_ epoch: UUID?) throws -> Int {
        try transaction {
            if let epoch {
                try setMeta(.epoch, .text(epoch.uuidString.lowercased()))
            } else {
                // Unknown yet: the next sync sends no epoch and learns the server's.
                try database.run("DELETE FROM meta WHERE key = ?", [.text(MetaKey.epoch.rawValue)])
            }
            try setMeta(.cursor, .integer(0))
            try startResync()
            // Every field's value, and every edit made here (overwritten ones too): the server
            // judges a push by what it carries, so "created as mine, then handed to bob" must
            // travel as both edits, not as a deal that names bob from the start. Pending has no
            // index on its key: NOT IN reads it once into a temporary index, where a correlated
            // NOT EXISTS would scan it for every field.
            try database.run("""
                INSERT INTO pending (tbl, row, field, kind, vi, vt, hlc, node, prev)
                SELECT c.tbl, c.row, c.field, c.kind, c.vi, c.vt, c.hlc, c.node, c.prev FROM (
                    SELECT f.tbl, f.row, f.field, f.kind, f.vi, f.vt, f.hlc, f.node, coalesce(h.prev, 0) AS prev
                    FROM fields f LEFT JOIN history h ON h.tbl = f.tbl AND h.row = f.row AND h.field = f.field AND h.hlc = f.hlc AND h.node = f.node
                    UNION
                    SELECT tbl, row, field, kind, vi, vt, hlc, node, prev FROM history WHERE node = ? AND origin = 'local'
                ) c
                WHERE (c.tbl, c.row, c.field, c.hlc, c.node) NOT IN (SELECT tbl, row, field, hlc, node FROM pending)
                ORDER BY c.hlc, c.node
                """, [node.sql])
            return database.changes
        }
    }

    /// Every row held now is unconfirmed until the full pull from cursor 0 brings it again.
    /// Refusals from here on (re-sent work the restored server does not see as ours yet) may
    /// go up again once their deal is ours.
    private func startResync() throws {
        try database.execute("CREATE TABLE IF NOT EXISTS unconfirmed (tbl TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (tbl, row)) WITHOUT ROWID")
        try database.execute("DELETE FROM unconfirmed; INSERT INTO unconfirmed (tbl, row) SELECT DISTINCT tbl, row FROM fields")
        let lastRefusal = try database.scalar("SELECT coalesce(max(id), 0) FROM refused")?.integer ?? 0
        try setMeta(.resyncRefusalsAfter, .integer(lastRefusal))
        try setMeta(.resyncing, .integer(1))
    }

    func resyncing() throws -> Bool { try meta(.resyncing)?.integer == 1 }

    /// Rows a pulled page brought are still in this user's scope.
    func confirm(_ changes: [Change]) throws {
        for row in Set(changes.map { RowReference(table: $0.table, row: $0.row) }) {
            try database.run("DELETE FROM unconfirmed WHERE tbl = ? AND row = ?", [.text(row.table), .text(row.row.lowercased)])
        }
    }

    /// After the last page of the full pull: rows the server did not send are out of this user's
    /// scope on the restored server and are dropped, unless they still wait to be pushed.
    func finishResync() throws -> Int {
        guard try resyncing() else { return 0 }
        let stale = try database.query("""
            SELECT tbl, row FROM unconfirmed u WHERE (u.tbl, u.row) NOT IN (SELECT tbl, row FROM pending)
            ORDER BY tbl = 'deals' DESC
            """) { ($0.text(0), $0.text(1)) }
        var dropped = 0
        for (table, row) in stale {
            try database.run("DELETE FROM unconfirmed WHERE tbl = ? AND row = ?", [.text(table), .text(row)])
            guard let id = UUID(uuidString: row) else { continue }
            dropped += try dropRow(RowReference(table: table, row: id))
        }
        if try database.scalar("SELECT count(*) FROM unconfirmed")?.integer == 0 {
            try database.run("DELETE FROM meta WHERE key = ?", [.text(MetaKey.resyncing.rawValue)])
        }
        return dropped
    }

    /// A deal became ours (again): settles the out-of-scope refusals of its rows. Those since the
    /// last epoch reset go back to pending: a restored server may give a deal to its old owner
    /// until a replica that holds the reassignment re-sends it. Older ones were refused while
    /// the deal was someone else's and stay refused; this replica takes them back (the server
    /// sent the deal's values again, and a refused value must not hide them). The replica is
    /// otherwise left as the server made it: what it takes of the requeued changes comes back
    /// in the pull. Returns how many went back to pending.
    func settleRefusals(ofDeal deal: RowID, serverHolds: Set<Stamped> = []) throws -> Int {
        let after = try meta(.resyncRefusalsAfter)?.integer ?? .max
        let d = SQLValue.text(deal.lowercased)
        let family = """
            r.code = ? AND ((r.tbl = 'deals' AND r.row = ?)
                OR r.row IN (SELECT row FROM fields WHERE field = 'deal' AND vt = ?) OR r.row IN (SELECT row FROM refused WHERE field = 'deal' AND vt = ?))
            """
        let arguments: [SQLValue] = [.text(SyncRefusal.outOfScope), d, d, d]
        let older = try database.query("SELECT tbl, row, field, kind, vi, vt, hlc, node FROM refused r WHERE r.id <= ? AND \(family)",
                                       [.integer(after)] + arguments) { try Replica.readChange($0, at: 0, prev: false) }
        for change in older {
            // The server sent this very change: it was taken after all (a push whose answer was
            // lost, then counted as unsent when the deal was dropped). It is no refusal.
            if serverHolds.contains(Stamped(change)) {
                try database.run("DELETE FROM refused WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?",
                                 [.text(change.table), .text(change.row.lowercased), .text(change.field), change.hlc.sql, change.node.sql])
            } else {
                try revert(change)
            }
        }
        try database.run("""
            INSERT INTO pending (tbl, row, field, kind, vi, vt, hlc, node, prev)
            SELECT tbl, row, field, kind, vi, vt, hlc, node, prev FROM refused r WHERE r.id > ? AND \(family) ORDER BY r.id
            """, [.integer(after)] + arguments)
        let requeued = database.changes
        try database.run("DELETE FROM refused AS r WHERE r.id > ? AND \(family)", [.integer(after)] + arguments)
        return requeued
    }
}

/// One change by field and stamp (its value aside).
struct Stamped: Hashable {
    let table: String, row: String, field: String, hlc: HLC, node: NodeID
    init(_ change: Change) {
        table = change.table
        row = change.row.lowercased
        field = change.field
        hlc = change.hlc
        node = change.node
    }
}
