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
    /// Changes refused earlier for scope put back in pending, because their deal became ours.
    public var requeued = 0
    /// Refusals of the reply that were other writers' values sent again, not this user's (see `Replica.recordRefusals`).
    public var relayedRefusals = 0
    public init(applied: Int = 0, ignored: Int = 0, droppedRows: Int = 0, requeued: Int = 0, relayedRefusals: Int = 0) {
        self.applied = applied
        self.ignored = ignored
        self.droppedRows = droppedRows
        self.requeued = requeued
        self.relayedRefusals = relayedRefusals
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
            var gained: [RowID] = []
            for (index, change) in changes.enumerated() {
                guard !change.table.isEmpty, !change.field.isEmpty else {
                    throw ReplicaError(.corrupt, "pulled change \(index + 1) of \(changes.count) has an empty table or field name: nothing from this page was applied")
                }
                clock.observe(change.hlc)
                // The server sends a deal's owner again whenever the deal comes into our scope.
                if change.table == Schema.Table.deals.rawValue && change.field == "owner" && change.value.textValue == user {
                    gained.append(change.row)
                }
                // A duplicate loses too: an equal stamp and value never wins.
                if let current = try currentWinner(table: change.table, row: change.row, field: change.field),
                   !Merge.wins(change, over: current) {
                    // Kept in history all the same (once): if our own winner is refused later,
                    // the field falls back to the best value seen, this one included.
                    try appendHistory(change, origin: "pulled")
                    result.ignored += 1
                    continue
                }
                try storeWinner(change)
                try appendHistory(change, origin: "pulled")
                result.applied += 1
            }
            if try resyncing() { try confirm(changes) }
            for row in dropped { result.droppedRows += try dropRow(row) }
            if !gained.isEmpty, try database.scalar("SELECT count(*) FROM refused WHERE code = ?", [.text(SyncRefusal.outOfScope)])?.integer ?? 0 > 0 {
                let sent = Set(changes.map { Stamped($0) })
                for deal in gained { result.requeued += try settleRefusals(ofDeal: deal, serverHolds: sent) }
            }
            for (node, user) in nodes {
                try database.run("INSERT INTO nodes (node, user) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET user = excluded.user", [node.sql, .text(user)])
            }
            try saveClock(clock)
            try setMeta(.cursor, .integer(Int64(bitPattern: cursor)))
            return result
        }
    }

    /// Removes a row, and for a deal its child rows, from fields, history and pending.
    func dropRow(_ reference: RowReference) throws -> Int {
        var rows = [(reference.table, reference.row.lowercased)]
        if reference.table == Schema.Table.deals.rawValue {
            rows += try database.query("SELECT tbl, row FROM fields WHERE field = 'deal' AND vt = ?", [.text(reference.row.lowercased)]) { ($0.text(0), $0.text(1)) }
        }
        let now = Int64(clamping: wallClock.now())
        for (table, row) in rows {
            // Edits not sent yet are refused like sent ones (listed by `gsp pending`), not lost without a word.
            try database.run("""
                INSERT INTO refused (seq, tbl, row, field, kind, vi, vt, hlc, node, prev, code, reason, refused_at)
                SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev, 'outOfScope', ?, ? FROM pending WHERE tbl = ? AND row = ?
                """, [.text("the deal left your scope (reassigned) before this change was sent"), .integer(now), .text(table), .text(row)])
            for store in ["fields", "history", "pending"] {
                try database.run("DELETE FROM \(store) WHERE tbl = ? AND row = ?", [.text(table), .text(row)])
            }
        }
        return rows.count
    }
}
