import GSPCore
import GSPStore

/// One change the replica applied, with who made it.
public struct HistoryEntry: Hashable, Sendable {
    public var change: Change
    /// "local" for edits made here, "pulled" for changes from the server.
    public var origin: String
    /// The user of the writing node, when the replica knows it.
    public var user: String?
}

/// When a deal entered a stage, and who moved it.
public struct StageEntry: Hashable, Sendable {
    public var stage: Stage
    public var hlc: HLC
    public var node: NodeID
    public var user: String?
    /// The reason given when a gate was overridden for this move.
    public var overrideReason: String?
}

/// A local change not yet acknowledged by a server, with its local sequence number.
public struct PendingChange: Hashable, Sendable {
    public var seq: UInt64
    public var change: Change
    public init(seq: UInt64, change: Change) {
        self.seq = seq
        self.change = change
    }
}

extension Replica {
    /// Every change applied to a row (or one of its fields), oldest first.
    public func history(table: Schema.Table, row: RowID, field: String? = nil) throws -> [HistoryEntry] {
        var sql = """
            SELECT h.tbl, h.row, h.field, h.kind, h.vi, h.vt, h.hlc, h.node, h.prev, h.origin, n.user
            FROM history h LEFT JOIN nodes n ON n.node = h.node WHERE h.tbl = ? AND h.row = ?
            """
        var arguments: [SQLValue] = [.text(table.rawValue), .text(row.lowercased)]
        if let field {
            sql += " AND h.field = ?"
            arguments.append(.text(field))
        }
        sql += " ORDER BY h.hlc, h.node, h.id"
        return try database.query(sql, arguments) { r in
            HistoryEntry(change: try Replica.readChange(r, at: 0), origin: r.text(9), user: r.isNull(10) ? nil : r.text(10))
        }
    }

    /// The deal's history and its child rows' history, oldest first.
    public func dealHistory(_ id: RowID, field: String? = nil) throws -> [HistoryEntry] {
        var entries = try history(table: .deals, row: id, field: field)
        for table in [Schema.Table.kpis, .time_entries, .activities] {
            for child in try childRows(of: table, deal: id).keys {
                entries += try history(table: table, row: child, field: field)
            }
        }
        return entries.sorted { $0.change.stamp < $1.change.stamp }
    }

    /// When the deal entered each stage, oldest first (from every `stage` change applied here).
    public func stageHistory(of id: RowID) throws -> [StageEntry] {
        let overrides = Dictionary(try history(table: .deals, row: id, field: "stage_override").map { ($0.change.stamp, $0.change.value.textValue) },
                                   uniquingKeysWith: { a, _ in a })
        return try history(table: .deals, row: id, field: "stage").compactMap { entry in
            guard let stage = entry.change.value.textValue.flatMap(Stage.init(rawValue:)) else { return nil }
            return StageEntry(stage: stage, hlc: entry.change.hlc, node: entry.change.node, user: entry.user,
                              overrideReason: overrides[entry.change.stamp] ?? nil)
        }
    }

    /// Local changes not yet acknowledged, in local order; at most `limit`.
    public func pendingChanges(limit: Int = .max) throws -> [PendingChange] {
        try database.query("SELECT seq, tbl, row, field, kind, vi, vt, hlc, node, prev FROM pending ORDER BY seq LIMIT ?",
                           [.integer(Int64(min(limit, Int(Int64.max))))]) { r in
            PendingChange(seq: UInt64(r.integer(0)), change: try Replica.readChange(r, at: 1))
        }
    }

    /// How many local changes wait for a server.
    public func pendingCount() throws -> Int {
        Int(try database.scalar("SELECT count(*) FROM pending")?.integer ?? 0)
    }

    /// How many local changes wait for a server, per table, by table name.
    public func pendingCountByTable() throws -> [(table: String, count: Int)] {
        try database.query("SELECT tbl, count(*) FROM pending GROUP BY tbl ORDER BY tbl") { r in (r.text(0), Int(r.integer(1))) }
    }

    /// The user name of a node, when known.
    public func userName(of node: NodeID) throws -> String? {
        try database.scalar("SELECT user FROM nodes WHERE node = ?", [node.sql])?.text
    }
}
