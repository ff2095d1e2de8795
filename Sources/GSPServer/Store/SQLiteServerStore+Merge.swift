import Foundation
import GSPCore
import GSPStore

extension SQLiteServerStore {
    public func merge(changes: [IncomingChange], user: User, node: NodeID, now: Date) throws -> MergeOutcome {
        // Concurrent pushes share one commit (one disk flush); each returns after it.
        try queue.groupWrite { db in
            let (session, merged) = try PushMerge.run(changes, user: user) { _ in
                try MergeSession(db: db, user: user, now: now, intent: BatchIntent(changes))
            }
            try session.finish()
            let pushedMax = changes.map(\.seq).max() ?? 0
            // Sequences are 64-bit on the wire; SQLite integers are signed, so clamp (never trap).
            try db.run("""
                INSERT INTO acks(node, user, acknowledged, last_seen) VALUES (?, ?, ?, ?)
                ON CONFLICT(node) DO UPDATE SET acknowledged = max(acknowledged, excluded.acknowledged),
                    user = excluded.user, last_seen = excluded.last_seen
                """, [.text(node.description), .text(user.name), .integer(Int64(clamping: pushedMax)), .integer(now.milliseconds)])
            // A push acknowledges exactly what it carried: all of it was processed in this
            // transaction. Never the stored high-water mark: it may come from another request
            // naming this node (a copied or restored replica, or a user who learnt the node id
            // from a pull), and the client deletes every pending change up to the acknowledged
            // sequence, changes it has not pushed yet included.
            let acknowledged = pushedMax
            return MergeOutcome(acknowledged: acknowledged, refusals: merged.refusals, accepted: merged.accepted, maxHLC: merged.maxHLC)
        }
    }
}

/// One push being merged inside its transaction: prepared statements and the server sequence.
final class MergeSession: PushMergeSession {
    let db: Database
    let user: User
    let now: Int64
    let intent: BatchIntent
    private(set) var seq: Int64
    /// Deals this push created: still the rep's to finish creating until an owner is set.
    var createdDeals: Set<String> = []
    private let findHistory, findTwin, insertHistory, findField, insertField, updateField, insertConflict: Statement
    let findOwner, findRow, insertRow: Statement

    init(db: Database, user: User, now: Date, intent: BatchIntent) throws {
        self.db = db
        self.user = user
        self.now = now.milliseconds
        self.intent = intent
        seq = try db.scalar("SELECT value FROM meta WHERE key = 'last_seq'")?.text.flatMap(Int64.init) ?? 0
        findHistory = try db.prepare("SELECT kind, value, currency FROM history WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?")
        findTwin = try db.prepare("SELECT kind, value, currency FROM history WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node <> ?")
        insertHistory = try db.prepare("""
            INSERT INTO history(tbl, row, field, kind, value, currency, hlc, node, prev, user, received, winner)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        findField = try db.prepare("SELECT kind, value, currency, hlc, node, prev, user, rowid FROM fields WHERE tbl = ? AND row = ? AND field = ?")
        insertField = try db.prepare("""
            INSERT INTO fields(tbl, row, field, kind, value, currency, hlc, node, prev, user, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // By the rowid findField read: one table seek instead of a key-index seek and a table seek.
        updateField = try db.prepare("""
            UPDATE fields SET kind = ?, value = ?, currency = ?, hlc = ?, node = ?, prev = ?, user = ?, seq = ?
            WHERE rowid = ?
            """)
        findOwner = try db.prepare("SELECT owner FROM deal_owners WHERE deal = ?")
        findRow = try db.prepare("SELECT deal FROM rows WHERE tbl = ? AND row = ?")
        // Prepared once per push: afterWin runs it for every winner, and parsing it each time
        // cost a third of a merge.
        insertRow = try db.prepare("INSERT OR IGNORE INTO rows(tbl, row, deal) VALUES (?, ?, ?)")
        insertConflict = try db.prepare("""
            INSERT INTO conflicts(tbl, row, field, win_kind, win_value, win_currency, win_hlc, win_node, win_user,
                                  lose_kind, lose_value, lose_currency, lose_hlc, lose_node, lose_user, detected)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    private var statements: [String: Statement] = [:]

    /// A statement prepared once per push for the rarer scope updates (new owners, moved rows).
    func statement(_ sql: String) throws -> Statement {
        if let prepared = statements[sql] { return prepared }
        let prepared = try db.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    func nextSeq() -> Int64 {
        seq += 1
        return seq
    }

    func finish() throws {
        try db.run("UPDATE meta SET value = ? WHERE key = 'last_seq'", [.text(String(seq))])
    }

    /// Whether this exact change (stamp and value) is stored already. A different value under
    /// one stamp (a misbehaving writer) is no replay: it is merged by the tie rule.
    func isReplay(_ change: Change) throws -> Bool {
        try findHistory.bind([.text(change.table), .text(change.row.lowercased), .text(change.field), change.hlc.sql, .text(change.node.description)])
        while let seen = try findHistory.step() {
            if try StoredValue.decode(seen, at: 0) == change.value { return true }
        }
        return false
    }

    /// Merges one valid change; false when it was already there (a replay).
    func apply(_ change: Change) throws -> Bool {
        let key: [SQLValue] = [.text(change.table), .text(change.row.lowercased), .text(change.field)]
        let nodeText = change.node.description
        try findField.bind(key)
        var currentRowID: Int64 = 0
        let current: (change: Change, user: String)? = try findField.step().map { row in
            currentRowID = row.integer(7)
            // The stored node is most often the pushing one: skip parsing its text then.
            let storedNode = row.text(4)
            guard let node = storedNode == nodeText ? change.node : NodeID(storedNode) else {
                throw ServerStoreError("stored node id '\(storedNode)' is not a UUID")
            }
            return (Change(table: change.table, row: change.row, field: change.field, value: try StoredValue.decode(row, at: 0),
                           hlc: HLC(sql: row.integer(3)), node: node, prev: HLC(sql: row.integer(5))), row.text(6))
        }
        // A replay is the same stamp with the same value; a different value under one stamp
        // (a misbehaving writer) is merged by the tie rule like any other change. Every accepted
        // change is in history and the winner holds the greatest stamp accepted for its field,
        // so only a stamp not above the winner's can be a replay: new edits skip the lookup.
        if let current, change.stamp <= current.change.stamp {
            try findHistory.bind(key + [change.hlc.sql, .text(nodeText)])
            while let seen = try findHistory.step() {
                if try StoredValue.decode(seen, at: 0) == change.value { return false }
            }
        }
        let value = StoredValue.columns(change.value)
        let stamp: [SQLValue] = [change.hlc.sql, .text(nodeText), change.prev.sql, .text(user.name)]
        let wins = current.map { Merge.wins(change, over: $0.change) } ?? true
        try insertHistory.run(key + [value.kind, value.payload, value.currency] + stamp + [.integer(now), .integer(wins ? 1 : 0)])

        guard let current else {
            try insertField.run(key + [value.kind, value.payload, value.currency] + stamp + [.integer(nextSeq())])
            try afterWin(change, previous: nil)
            return true
        }
        let concurrent = try Merge.isConcurrent(change, with: current.change) && change.value != current.change.value
            && !hasTwin(change, key: key)
        if wins {
            try updateField.run([value.kind, value.payload, value.currency] + stamp + [.integer(nextSeq()), .integer(currentRowID)])
            if concurrent { try recordConflict(winner: (change, user.name), loser: current) }
            try afterWin(change, previous: current.change)
        } else if concurrent {
            try recordConflict(winner: current, loser: (change, user.name))
        }
        return true
    }

    /// Whether another node's change of this field with the same HLC and value is stored: the
    /// same edit made on two replicas (an import of one file on both, stamped from its dates)
    /// tells nobody anything new, so it is no conflict. Read only for a would-be conflict.
    private func hasTwin(_ change: Change, key: [SQLValue]) throws -> Bool {
        try findTwin.bind(key + [change.hlc.sql, .text(change.node.description)])
        defer { findTwin.reset() }
        while let seen = try findTwin.step() {
            if try StoredValue.decode(seen, at: 0) == change.value { return true }
        }
        return false
    }

    private func recordConflict(winner: (change: Change, user: String), loser: (change: Change, user: String)) throws {
        let w = StoredValue.columns(winner.change.value), l = StoredValue.columns(loser.change.value)
        try insertConflict.run([.text(winner.change.table), .text(winner.change.row.lowercased), .text(winner.change.field),
                                w.kind, w.payload, w.currency, winner.change.hlc.sql, .text(winner.change.node.description), .text(winner.user),
                                l.kind, l.payload, l.currency, loser.change.hlc.sql, .text(loser.change.node.description), .text(loser.user),
                                .integer(now)])
    }
}
