import Foundation
import GSPCore
import GSPStore

extension Replica {
    /// Moves refused pending changes to the `refused` table (they will not be pushed again).
    public func recordRefusals(_ refusals: [(seq: UInt64, code: String, reason: String)]) throws {
        guard !refusals.isEmpty else { return }
        try transaction { try recordRefusalsLocked(refusals) }
    }

    func recordRefusalsLocked(_ refusals: [(seq: UInt64, code: String, reason: String)]) throws {
        let now = Int64(clamping: wallClock.now())
        do {
            for refusal in refusals {
                let seq = SQLValue.integer(Int64(clamping: refusal.seq))
                let refused = try database.query("SELECT tbl, row, field, kind, vi, vt, hlc, node FROM pending WHERE seq = ?", [seq]) {
                    try Replica.readChange($0, at: 0, prev: false)
                }.first
                try database.run("""
                    INSERT INTO refused (seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at)
                    SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, ?, ?, ? FROM pending WHERE seq = ?
                    """, [.text(refusal.code), .text(refusal.reason), .integer(now), seq])
                if refusal.code != SyncRefusal.outOfScope, let change = refused { try revert(change) }
                try database.run("DELETE FROM pending WHERE seq = ?", [seq])
            }
        }
    }

    /// Takes back a refused local change that will never be accepted (not a scope refusal,
    /// which may be sent again once its deal is ours): it leaves history, and if it is the
    /// field's winner the field falls back to the best other value this replica has seen.
    func revert(_ change: Change) throws {
        guard change.node == node else { return }
        let key: [SQLValue] = [.text(change.table), .text(change.row.lowercased), .text(change.field)]
        try database.run("DELETE FROM history WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", key + [change.hlc.sql, node.sql])
        guard let current = try currentWinner(table: change.table, row: change.row, field: change.field),
              current.hlc == change.hlc, current.node == node else { return }
        let best = try database.query(
            "SELECT tbl, row, field, kind, vi, vt, hlc, node FROM history WHERE tbl = ? AND row = ? AND field = ? ORDER BY hlc DESC, node DESC LIMIT 1",
            key) { try Replica.readChange($0, at: 0, prev: false) }.first
        if let best {
            try storeWinner(best)
        } else {
            try database.run("DELETE FROM fields WHERE tbl = ? AND row = ? AND field = ?", key)
        }
    }

    /// Every refusal received, newest first.
    public func refusedChanges() throws -> [RefusedChange] {
        try database.query("SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at FROM refused ORDER BY id DESC") { r in
            RefusedChange(seq: UInt64(r.integer(0)), change: try Replica.readChange(r, at: 1), code: r.text(10), reason: r.text(11),
                          refusedAt: UInt64(clamping: r.integer(12)))
        }
    }
}
