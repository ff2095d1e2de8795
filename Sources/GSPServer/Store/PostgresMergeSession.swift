import Foundation
import GSPCore
import GSPPostgres

/// One push being merged into PostgreSQL inside its transaction, set by set: the current
/// winners, seen stamps, rows and owners the push touches are read in a few queries up
/// front, the merge runs in memory with the same rules as SQLite's `MergeSession`, and the
/// writes go out as COPY and multi-row statements (`flush`), not one statement per change.
///
/// The caches stay exact because the transaction holds the sequence allocator's row lock:
/// no other merge writes while this one runs, and every write here updates the caches.
final class PostgresMergeSession: ScopeLookup, PushMergeSession {
    let db: PostgresConnection
    let user: User
    let now: Int64
    let intent: BatchIntent
    private(set) var seq: Int64
    let startSeq: Int64
    var createdDeals: Set<String> = []

    /// Current winners; a missing key has not been read yet, a nil value has no winner.
    var winners: [FieldKey: (change: Change, user: String)?] = [:]
    /// Values stored in the history under one stamp (replay detection).
    var seen: [Stamp: [Value]] = [:]
    /// Row entries; nil inside: the server has no such row.
    private(set) var rows: [RowKey: RowEntry?] = [:]
    /// The rows of each deal among `rows`, kept in step by `setRow`.
    private(set) var families: [String: Set<RowKey>] = [:]
    var owners: [String: String?] = [:]

    // Writes waiting for `flush`.
    var history = CopyRows(), conflicts = CopyRows(), scopeLog = CopyRows()
    var fieldWrites: [FieldKey: (change: Change, user: String, seq: Int64)] = [:]
    /// Stored rows whose every field is in `fieldWrites` (read in for a resequence).
    var rowsInMemory: Set<RowKey> = []
    /// The keys of `fieldWrites` by row.
    var writesByRow: [RowKey: Set<FieldKey>] = [:]
    /// Rows created by this push and not yet flushed: all their fields are in `fieldWrites`.
    var pendingRows: Set<RowKey> = []
    var pendingOwners: [String: String?] = [:]

    struct Stamp: Hashable { var key: FieldKey; var hlc: HLC; var node: NodeID }
    struct RowKey: Hashable { var table: String; var row: String }

    init(db: PostgresConnection, user: User, now: Date, intent: BatchIntent, seq: Int64, changes: [Change]) throws {
        self.db = db
        self.user = user
        self.now = now.milliseconds
        self.intent = intent
        self.seq = seq
        startSeq = seq
        try preload(changes)
    }

    func nextSeq() -> Int64 {
        seq += 1
        return seq
    }

    /// Reads in four queries everything the merge of `changes` will ask about.
    private func preload(_ changes: [Change]) throws {
        guard !changes.isEmpty else { return }
        let keys = Array(Set(changes.map(\.key)))
        let found = try db.execute("""
            SELECT f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr FROM fields f
            JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(tbl, rid, field) USING (tbl, rid, field)
            """, [.textArray(keys.map(\.table)), .textArray(keys.map(\.row.lowercased)), .textArray(keys.map(\.field))])
        for key in keys { winners[key] = .some(nil) }
        for i in 0..<found.rowCount {
            let change = try found.change(i)
            winners[change.key] = (change, found.text(i, 10))
        }

        let stamps = Array(Set(changes.map { Stamp(key: $0.key, hlc: $0.hlc, node: $0.node) }))
        let history = try db.execute("""
            SELECT h.tbl, h.rid, h.field, h.kind, h.ival, h.tval, h.currency, h.hlc, h.node, h.prev FROM history h
            JOIN unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS s(tbl, rid, field, hlc, node)
            USING (tbl, rid, field, hlc, node)
            """, [.textArray(stamps.map(\.key.table)), .textArray(stamps.map(\.key.row.lowercased)), .textArray(stamps.map(\.key.field)),
                  .integerArray(stamps.map { Int64(bitPattern: $0.hlc.rawValue) }), .textArray(stamps.map(\.node.description))])
        for stamp in stamps { seen[stamp] = [] }
        for i in 0..<history.rowCount {
            let change = try history.change(i)
            seen[Stamp(key: change.key, hlc: change.hlc, node: change.node), default: []].append(change.value)
        }

        // Rows the push names, the deals it refers to, and every row of the deals it writes
        // (their families, in case an owner changes).
        var deals = Set(intent.dealOwners.keys).union(intent.childDeals.values)
        for change in changes {
            if change.table == Scope.dealsTable { deals.insert(change.row.lowercased) }
            if change.field == Scope.dealField, let deal = Scope.dealReference(change.value) { deals.insert(deal) }
        }
        var wanted = Set(changes.map { RowKey(table: $0.table, row: $0.row.lowercased) })
        wanted.formUnion(deals.map { RowKey(table: Scope.dealsTable, row: $0) })
        let wantedList = Array(wanted)
        let familyDeals = Array(Set(changes.filter { $0.table == Scope.dealsTable }.map(\.row.lowercased)))
        let foundRows = try db.execute("""
            SELECT r.tbl, r.rid, r.deal FROM row_deals r
            JOIN unnest($1::text[], $2::text[]) AS w(tbl, rid) USING (tbl, rid)
            UNION SELECT tbl, rid, deal FROM row_deals WHERE deal = ANY($3::text[])
            """, [.textArray(wantedList.map(\.table)), .textArray(wantedList.map(\.row)), .textArray(familyDeals)])
        for key in wanted { rows[key] = .some(nil) }
        for i in 0..<foundRows.rowCount {
            let deal = foundRows.optionalText(i, 2)
            setRow(RowKey(table: foundRows.text(i, 0), row: foundRows.text(i, 1)), RowEntry(deal: deal))
            if let deal { deals.insert(deal) }
        }

        let dealList = Array(deals)
        let foundOwners = try db.execute("SELECT deal, owner FROM deal_owners WHERE deal = ANY($1::text[])", [.textArray(dealList)])
        for deal in dealList { owners[deal] = .some(nil) }
        for i in 0..<foundOwners.rowCount { owners[foundOwners.text(i, 0)] = .some(foundOwners.optionalText(i, 1)) }
    }

    /// Whether this exact change (stamp and value) is stored already, or met earlier in this push.
    func isReplay(_ change: Change) throws -> Bool {
        try seenValues(Stamp(key: change.key, hlc: change.hlc, node: change.node)).contains(change.value)
    }

    /// Merges one valid change; false when it was already there (a replay).
    func apply(_ change: Change) throws -> Bool {
        let stamp = Stamp(key: change.key, hlc: change.hlc, node: change.node)
        // A replay is the same stamp with the same value; a different value under one stamp
        // (a misbehaving writer) is merged by the tie rule like any other change.
        if try seenValues(stamp).contains(change.value) { return false }
        seen[stamp, default: []].append(change.value)

        let current = try winner(change.key)
        let wins = current.map { Merge.wins(change, over: $0.change) } ?? true
        appendHistory(change, winner: wins)
        guard let current else {
            setWinner(change)
            try afterWin(change, previous: nil)
            return true
        }
        let concurrent = Merge.isConcurrent(change, with: current.change) && change.value != current.change.value
        if wins {
            setWinner(change)
            if concurrent { recordConflict(winner: (change, user.name), loser: current) }
            try afterWin(change, previous: current.change)
        } else if concurrent {
            recordConflict(winner: current, loser: (change, user.name))
        }
        return true
    }

    private func setWinner(_ change: Change) {
        winners[change.key] = (change, user.name)
        fieldWrites[change.key] = (change, user.name, nextSeq())
        writesByRow[RowKey(table: change.table, row: change.row.lowercased), default: []].insert(change.key)
    }

    /// Records a row's entry (nil: no such row) and keeps `families` in step.
    func setRow(_ key: RowKey, _ entry: RowEntry?) {
        if let old = rows[key] ?? nil, let deal = old.deal { families[deal]?.remove(key) }
        rows[key] = .some(entry)
        if let deal = entry?.deal { families[deal, default: []].insert(key) }
    }

    private func appendHistory(_ change: Change, winner: Bool) {
        history.text(change.table); history.text(change.row.lowercased); history.text(change.field)
        PostgresValueColumns(change.value).write(to: &history)
        history.integer(Int64(bitPattern: change.hlc.rawValue)); history.text(change.node.description)
        history.integer(Int64(bitPattern: change.prev.rawValue)); history.text(user.name)
        history.integer(now); history.bool(winner)
        history.endRow()
    }

    private func recordConflict(winner: (change: Change, user: String), loser: (change: Change, user: String)) {
        conflicts.text(winner.change.table); conflicts.text(winner.change.row.lowercased); conflicts.text(winner.change.field)
        for side in [winner, loser] {
            PostgresValueColumns(side.change.value).write(to: &conflicts)
            conflicts.integer(Int64(bitPattern: side.change.hlc.rawValue)); conflicts.text(side.change.node.description); conflicts.text(side.user)
        }
        conflicts.integer(now)
        conflicts.endRow()
    }

    private func seenValues(_ stamp: Stamp) throws -> [Value] {
        if let values = seen[stamp] { return values }
        let found = try db.execute("""
            SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev FROM history
            WHERE tbl = $1 AND rid = $2 AND field = $3 AND hlc = $4 AND node = $5
            """, [.text(stamp.key.table), .text(stamp.key.row.lowercased), .text(stamp.key.field),
                  .integer(Int64(bitPattern: stamp.hlc.rawValue)), .text(stamp.node.description)])
        let values = try (0..<found.rowCount).map { try found.change($0).value }
        seen[stamp] = values
        return values
    }

    private func winner(_ key: FieldKey) throws -> (change: Change, user: String)? {
        if let cached = winners[key] { return cached }
        let found = try db.execute("""
            SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr FROM fields
            WHERE tbl = $1 AND rid = $2 AND field = $3
            """, [.text(key.table), .text(key.row.lowercased), .text(key.field)])
        let current = found.rowCount == 0 ? nil : (try found.change(0), found.text(0, 10))
        winners[key] = .some(current)
        return current
    }
}
