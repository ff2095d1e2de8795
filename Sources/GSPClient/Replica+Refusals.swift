import Foundation
import GSPCore
import GSPStore

extension Replica {
    /// Moves refused pending changes to the `refused` table (they will not be pushed again).
    /// Returns how many of them were relayed: other writers' values this replica sent again
    /// (after a restore), which are not this user's refusals (see `recordRefusalsLocked`).
    @discardableResult
    public func recordRefusals(_ refusals: [(seq: UInt64, code: String, reason: String)]) throws -> Int {
        guard !refusals.isEmpty else { return 0 }
        return try transaction { try recordRefusalsLocked(refusals) }
    }

    /// A refusal of this node's own change is the user's: it is kept and listed (and taken back
    /// unless it is a scope refusal, which may go up again once its deal is ours). A relayed
    /// change (another node's, sent again after a restore) is none of the user's doing: the
    /// server takes such a value only from someone allowed to write it, and its writer's own
    /// replica sends it again. So it is not listed: refused for scope, it waits unlisted in
    /// `refused` to go up again with its deal; refused for good (an override only a manager may
    /// write, say), it is dropped, and the replica falls back to the best other value it has
    /// seen, as the server holds no such change. Returns how many were relayed.
    func recordRefusalsLocked(_ refusals: [(seq: UInt64, code: String, reason: String)]) throws -> Int {
        let now = Int64(clamping: wallClock.now())
        var relayed = 0
        for refusal in refusals {
            let seq = SQLValue.integer(Int64(clamping: refusal.seq))
            guard let change = try database.query("SELECT tbl, row, field, kind, vi, vt, hlc, node FROM pending WHERE seq = ?", [seq], {
                try Replica.readChange($0, at: 0, prev: false)
            }).first else { continue }
            let own = change.node == node
            if !own { relayed += 1 }
            if !own && refusal.code != SyncRefusal.outOfScope {
                try takeBack(change)
            } else {
                try database.run("""
                    INSERT INTO refused (seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at)
                    SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, ?, ?, ? FROM pending WHERE seq = ?
                    """, [.text(refusal.code), .text(refusal.reason), .integer(now), seq])
                if refusal.code != SyncRefusal.outOfScope { try revert(change) }
            }
            try database.run("DELETE FROM pending WHERE seq = ?", [seq])
        }
        return relayed
    }

    /// Takes back a refused local change that will never be accepted (not a scope refusal,
    /// which may be sent again once its deal is ours). Other nodes' changes are left alone.
    func revert(_ change: Change) throws {
        guard change.node == node else { return }
        try takeBack(change)
    }

    /// Removes one change from the replica: it leaves history, and if it is the field's winner
    /// the field falls back to the best other value this replica has seen (or goes).
    private func takeBack(_ change: Change) throws {
        let key: [SQLValue] = [.text(change.table), .text(change.row.lowercased), .text(change.field)]
        try database.run("DELETE FROM history WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", key + [change.hlc.sql, change.node.sql])
        guard let current = try currentWinner(table: change.table, row: change.row, field: change.field),
              current.hlc == change.hlc, current.node == change.node else { return }
        let best = try database.query(
            "SELECT tbl, row, field, kind, vi, vt, hlc, node FROM history WHERE tbl = ? AND row = ? AND field = ? ORDER BY hlc DESC, node DESC LIMIT 1",
            key) { try Replica.readChange($0, at: 0, prev: false) }.first
        if let best {
            try storeWinner(best)
        } else {
            try database.run("DELETE FROM fields WHERE tbl = ? AND row = ? AND field = ?", key)
        }
    }

    /// Every refusal of this replica's own changes, newest first. Other writers' values it sent
    /// again after a restore are not the user's refusals and are not listed (see `recordRefusals`).
    public func refusedChanges() throws -> [RefusedChange] {
        try database.query("SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at FROM refused WHERE node = ? ORDER BY id DESC",
                           [node.sql]) { r in
            RefusedChange(seq: UInt64(r.integer(0)), change: try Replica.readChange(r, at: 1), code: r.text(10), reason: r.text(11),
                          refusedAt: UInt64(clamping: r.integer(12)))
        }
    }
}
