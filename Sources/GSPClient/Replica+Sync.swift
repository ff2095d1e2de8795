import Foundation
import GSPCore
import GSPStore

/// A row the server told this replica to drop (it left the user's scope).
public struct RowReference: Hashable, Sendable {
    public var table: String
    public var row: RowID
    public init(table: String, row: RowID) {
        self.table = table
        self.row = row
    }
}

/// A local change the server refused, kept so the user can see why.
public struct RefusedChange: Hashable, Sendable {
    public var seq: UInt64
    public var change: Change
    public var code: String
    public var reason: String
    /// When the refusal arrived, in Unix milliseconds.
    public var refusedAt: UInt64
}

/// What applying one pulled page did.
public struct PullResult: Equatable, Sendable {
    /// Changes that became the field's winner.
    public var applied = 0
    /// Changes that lost to (or duplicated) what the replica holds.
    public var ignored = 0
    /// Rows removed because the server dropped them (children included).
    public var droppedRows = 0
    public init(applied: Int = 0, ignored: Int = 0, droppedRows: Int = 0) {
        self.applied = applied
        self.ignored = ignored
        self.droppedRows = droppedRows
    }
}

extension Replica {
    /// Forgets pending changes up to `seq` inclusive: the server made them durable.
    public func acknowledge(upTo seq: UInt64) throws {
        try transaction { try acknowledgeLocked(upTo: seq) }
    }

    func acknowledgeLocked(upTo seq: UInt64, except kept: Set<UInt64> = []) throws {
        let bounded = Int64(clamping: seq)
        let keep = kept.isEmpty ? "" : " AND seq NOT IN (\(kept.map { String(Int64(clamping: $0)) }.joined(separator: ",")))"
        try database.run("DELETE FROM pending WHERE seq <= ?" + keep, [.integer(bounded)])
        let previous = try meta(.acknowledged)?.integer ?? 0
        try setMeta(.acknowledged, .integer(max(previous, bounded)))
    }

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
                try database.run("""
                    INSERT INTO refused (seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at)
                    SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, ?, ?, ? FROM pending WHERE seq = ?
                    """, [.text(refusal.code), .text(refusal.reason), .integer(now), seq])
                try database.run("DELETE FROM pending WHERE seq = ?", [seq])
            }
        }
    }

    /// Every refusal received, newest first.
    public func refusedChanges() throws -> [RefusedChange] {
        try database.query("SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at FROM refused ORDER BY id DESC") { r in
            RefusedChange(seq: UInt64(r.integer(0)), change: try Replica.readChange(r, at: 1), code: r.text(10), reason: r.text(11),
                          refusedAt: UInt64(clamping: r.integer(12)))
        }
    }

    /// Applies one pulled page in one transaction: merges every change (greatest (hlc, node)
    /// wins), records winners in history, advances the clock past them, removes dropped rows
    /// with their child rows, learns node names and stores the cursor. Any error rolls the
    /// whole page back, cursor included, so the next sync asks for the same page again.
    @discardableResult
    public func applyPulled(changes: [Change], dropped: [RowReference] = [], nodes: [NodeID: String] = [:], cursor: UInt64) throws -> PullResult {
        try transaction { try applyPulledLocked(changes: changes, dropped: dropped, nodes: nodes, cursor: cursor) }
    }

    func applyPulledLocked(changes: [Change], dropped: [RowReference], nodes: [NodeID: String], cursor: UInt64) throws -> PullResult {
        do {
            var result = PullResult()
            var clock = try loadClock()
            for (index, change) in changes.enumerated() {
                guard !change.table.isEmpty, !change.field.isEmpty else {
                    throw ReplicaError(.corrupt, "pulled change \(index + 1) of \(changes.count) has an empty table or field name: nothing from this page was applied")
                }
                clock.observe(change.hlc)
                // A duplicate loses too: an equal stamp and value never wins.
                if let current = try currentWinner(table: change.table, row: change.row, field: change.field),
                   !Merge.wins(change, over: current) {
                    result.ignored += 1
                    continue
                }
                try storeWinner(change)
                try appendHistory(change, origin: "pulled")
                result.applied += 1
            }
            for row in dropped { result.droppedRows += try dropRow(row) }
            for (node, user) in nodes {
                try database.run("INSERT INTO nodes (node, user) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET user = excluded.user", [node.sql, .text(user)])
            }
            try saveClock(clock)
            try setMeta(.cursor, .integer(Int64(bitPattern: cursor)))
            return result
        }
    }

    /// Removes a row, and for a deal its child rows, from fields, history and pending.
    private func dropRow(_ reference: RowReference) throws -> Int {
        var rows = [(reference.table, reference.row.lowercased)]
        if reference.table == Schema.Table.deals.rawValue {
            rows += try database.query("SELECT tbl, row FROM fields WHERE field = 'deal' AND vt = ?", [.text(reference.row.lowercased)]) { ($0.text(0), $0.text(1)) }
        }
        for (table, row) in rows {
            for store in ["fields", "history", "pending"] {
                try database.run("DELETE FROM \(store) WHERE tbl = ? AND row = ?", [.text(table), .text(row)])
            }
        }
        return rows.count
    }

    /// Re-stamps this node's pending changes after the server refused them for clock skew:
    /// from now on the replica's wall clock is corrected by the skew, and every pending change
    /// (with the fields and history entries it wrote) gets a fresh HLC just past `serverTime`.
    /// Changes of one edit keep sharing one HLC. Returns how many pending changes moved.
    @discardableResult
    public func restamp(after serverTime: HLC) throws -> Int {
        try transaction {
            let wall = wallClock.now()
            let offset = Int64(clamping: serverTime.milliseconds) - Int64(clamping: wall)
            try setMeta(.clockOffset, .integer(min(0, offset)))
            let pending = try pendingChanges().filter { $0.change.node == node }
            // New stamps are handed out in the old stamps' order, so every field's own sequence
            // of edits (and its prev chain) keeps its order whatever the pending order is.
            let oldStamps = Set(pending.map(\.change.hlc)).sorted()
            guard !oldStamps.isEmpty else { return 0 }
            // The new clock must stay past everything others wrote and the server has seen.
            let others = try database.query("SELECT hlc, node FROM fields") { (HLC(sql: $0.integer(0)), $0.text(1)) }
                .filter { $0.1 != node.description || !oldStamps.contains($0.0) }.map(\.0).max() ?? .zero
            var clock = HybridClock(last: max(serverTime, others))
            var mapping: [HLC: HLC] = [:]
            for old in oldStamps { mapping[old] = clock.tick(wallMilliseconds: try correctedWall()) }
            for entry in pending {
                let new = mapping[entry.change.hlc]!, prev = mapping[entry.change.prev] ?? entry.change.prev
                try database.run("UPDATE pending SET hlc = ?, prev = ? WHERE seq = ?", [new.sql, prev.sql, .integer(Int64(entry.seq))])
                let key: [SQLValue] = [.text(entry.change.table), .text(entry.change.row.lowercased), .text(entry.change.field), entry.change.hlc.sql, node.sql]
                try database.run("UPDATE fields SET hlc = ? WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", [new.sql] + key)
                try database.run("UPDATE history SET hlc = ?, prev = ? WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", [new.sql, prev.sql] + key)
            }
            try saveClock(clock)
            return pending.count
        }
    }

    /// The server's store was replaced (a restored backup): pull everything again from cursor 0
    /// and queue every field value this replica holds, so the server gets back what it lost.
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
            try database.run("""
                INSERT INTO pending (tbl, row, field, kind, vi, vt, hlc, node, prev)
                SELECT f.tbl, f.row, f.field, f.kind, f.vi, f.vt, f.hlc, f.node, coalesce(h.prev, 0)
                FROM fields f LEFT JOIN history h ON h.tbl = f.tbl AND h.row = f.row AND h.field = f.field AND h.hlc = f.hlc AND h.node = f.node
                WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE p.tbl = f.tbl AND p.row = f.row AND p.field = f.field AND p.hlc = f.hlc AND p.node = f.node)
                ORDER BY f.hlc, f.node
                """)
            return database.changes
        }
    }
}
