import GSPCore
import GSPStore

/// One field a local edit sets.
public struct FieldWrite: Hashable, Sendable {
    public var table: String
    public var row: RowID
    public var field: String
    public var value: Value
    public init(table: String, row: RowID, field: String, value: Value) {
        self.table = table
        self.row = row
        self.field = field
        self.value = value
    }
    public init(_ table: Schema.Table, _ row: RowID, _ field: String, _ value: Value) {
        self.init(table: table.rawValue, row: row, field: field, value: value)
    }
}

extension Replica {
    /// The stored winner of one field.
    func currentWinner(table: String, row: RowID, field: String) throws -> Change? {
        let s = try statement("SELECT kind, vi, vt, hlc, node FROM fields WHERE tbl = ? AND row = ? AND field = ?")
        try s.bind([.text(table), .text(row.lowercased), .text(field)])
        guard let r = try s.step() else { return nil }
        return Change(table: table, row: row, field: field, value: try StoredValue.read(r, at: 0), hlc: r.hlc(3), node: try r.node(4))
    }

    /// Writes a local edit: one new HLC, and for every field its value, a history entry and
    /// a pending entry. Call inside a transaction; returns the edit's HLC. Throws `outOfScope`,
    /// writing nothing, when a rep's server would refuse the edit (see `checkWriteScope`).
    @discardableResult
    func recordLocal(_ writes: [FieldWrite]) throws -> HLC {
        // The server refuses other names: never let one into the outbox.
        for write in writes where !Schema.isValidName(write.table) || !Schema.isValidName(write.field) {
            throw ReplicaError(.unknownField, "'\(write.table).\(write.field)' is not a table and field name: each is \(Schema.nameRule)")
        }
        try Replica.checkCarriable(writes)
        try checkWriteScope(writes)
        var clock = try loadClock()
        let hlc = clock.tick(wallMilliseconds: try correctedWall())
        // Formatted once per edit and once per field, not once per statement.
        let stamp: [SQLValue] = [hlc.sql, node.sql]
        // The same field twice in one edit: the last write is the edit's value.
        var seen = Set<FieldKey>()
        let unique = writes.reversed().filter { seen.insert(FieldKey(table: $0.table, row: $0.row, field: $0.field)).inserted }.reversed()
        for write in unique {
            let key: [SQLValue] = [.text(write.table), .text(write.row.lowercased), .text(write.field)]
            let prev = try currentHLC(key) ?? .zero
            let columns = key + StoredValue.columns(write.value) + stamp
            try storeWinner(columns: columns)
            try appendHistory(columns: columns, prev: prev, origin: "local")
            try statement("INSERT INTO pending (tbl, row, field, kind, vi, vt, hlc, node, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .run(columns + [prev.sql])
        }
        try saveClock(clock)
        return hlc
    }

    /// Refuses, before anything is written, a value no sync could carry (`ValueLimits`): it
    /// would stay pending forever. Every local write (edits, imports) goes through here.
    static func checkCarriable(_ writes: [FieldWrite]) throws(ReplicaError) {
        for write in writes {
            if let problem = ValueLimits.problem(table: write.table, field: write.field, value: write.value) {
                throw ReplicaError(.invalidValue, problem + "; nothing was changed")
            }
        }
    }

    /// The HLC of the stored winner of the field named by `key` (table, row, field).
    private func currentHLC(_ key: [SQLValue]) throws -> HLC? {
        let s = try statement("SELECT hlc FROM fields WHERE tbl = ? AND row = ? AND field = ?")
        try s.bind(key)
        return try s.step().map { $0.hlc(0) }
    }

    func storeWinner(_ change: Change) throws {
        try storeWinner(columns: Replica.changeArguments(change))
    }

    /// Stores a winner from its `changeArguments` columns.
    func storeWinner(columns: [SQLValue]) throws {
        try statement("""
            INSERT INTO fields (tbl, row, field, kind, vi, vt, hlc, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tbl, row, field) DO UPDATE SET kind = excluded.kind, vi = excluded.vi, vt = excluded.vt,
              hlc = excluded.hlc, node = excluded.node
            """).run(columns)
    }

    /// Appends to history unless this exact change (field, hlc, node) is already there.
    func appendHistory(_ change: Change, origin: String) throws {
        try appendHistory(columns: Replica.changeArguments(change), prev: change.prev, origin: origin)
    }

    func appendHistory(columns: [SQLValue], prev: HLC, origin: String) throws {
        try statement("INSERT OR IGNORE INTO history (tbl, row, field, kind, vi, vt, hlc, node, prev, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .run(columns + [prev.sql, .text(origin)])
    }

    static func changeArguments(_ c: Change) -> [SQLValue] {
        [.text(c.table), .text(c.row.lowercased), .text(c.field)] + StoredValue.columns(c.value) + [c.hlc.sql, c.node.sql]
    }

    /// Reads a change from columns tbl, row, field, kind, vi, vt, hlc, node, prev starting at `i`.
    static func readChange(_ r: Row, at i: Int, prev: Bool = true) throws -> Change {
        Change(table: r.text(i), row: try r.rowID(i + 1), field: r.text(i + 2), value: try StoredValue.read(r, at: i + 3),
               hlc: r.hlc(i + 6), node: try r.node(i + 7), prev: prev ? r.hlc(i + 8) : .zero)
    }

    /// Every current field of one row.
    public func fields(of table: String, row: RowID) throws -> [String: Value] {
        let s = try statement("SELECT field, kind, vi, vt FROM fields WHERE tbl = ? AND row = ?")
        try s.bind([.text(table), .text(row.lowercased)])
        var result: [String: Value] = [:]
        while let r = try s.step() { result[r.text(0)] = try StoredValue.read(r, at: 1) }
        return result
    }

    /// Every row of a table with its current fields (deleted rows included).
    public func rows(of table: String) throws -> [RowID: [String: Value]] {
        let s = try statement("SELECT row, field, kind, vi, vt FROM fields WHERE tbl = ?")
        try s.bind([.text(table)])
        var result: [RowID: [String: Value]] = [:]
        while let r = try s.step() { result[try r.rowID(0), default: [:]][r.text(1)] = try StoredValue.read(r, at: 2) }
        return result
    }

    /// The rows of a child table that point at `deal`, with their fields.
    public func childRows(of table: Schema.Table, deal: RowID) throws -> [RowID: [String: Value]] {
        let s = try statement("SELECT row FROM fields WHERE field = 'deal' AND vt = ? AND tbl = ?")
        try s.bind([.text(deal.lowercased), .text(table.rawValue)])
        var ids: [RowID] = []
        while let r = try s.step() { ids.append(try r.rowID(0)) }
        var result: [RowID: [String: Value]] = [:]
        for id in ids { result[id] = try fields(of: table.rawValue, row: id) }
        return result
    }
}

extension Replica {
    /// Writes fields as one local edit (one HLC, one transaction): the general edit for apps
    /// and importers. Known fields of known tables must hold their schema's kind; unknown
    /// tables and fields are stored as given (a newer schema's data is kept, not dropped).
    @discardableResult
    public func write(_ writes: [FieldWrite]) throws -> HLC {
        guard !writes.isEmpty else { throw ReplicaError(.invalidValue, "nothing to write") }
        for write in writes {
            guard !write.table.isEmpty, !write.field.isEmpty else { throw ReplicaError(.invalidValue, "a write names no table or field") }
            if let table = Schema.Table(rawValue: write.table), let field = Schema.field(write.field, in: table) {
                try FieldParser.check(write.value, for: field)
            }
        }
        return try transaction { try recordLocal(writes) }
    }
}
