import Foundation
import GSPCore
import GSPPostgres

/// One push being merged into PostgreSQL, set by set, in two round trips: the first begins the
/// transaction, locks the sequence allocator and reads everything the push touches (current
/// winners, seen stamps, rows, owners, and the fields of rows that may change hands); the merge
/// then runs in memory with the same rules as SQLite's `MergeSession`; the second round trip
/// writes it all with one multi-row statement per table and commits (`commit`).
///
/// The caches stay exact because the transaction holds the sequence allocator's row lock from
/// before the first read: no other merge writes while this one runs, and every write here
/// updates the caches. A question the preload did not answer falls back to one query.
final class PostgresMergeSession: ScopeLookup, PushMergeSession {
    let db: PostgresConnection
    let user: User
    let now: Int64
    let intent: BatchIntent
    private(set) var seq: Int64 = 0
    private(set) var startSeq: Int64 = 0
    /// True once the transaction is open (a push with nothing valid opens none).
    var inTransaction = false
    var createdDeals: Set<String> = []

    /// Current winners; a missing key has not been read yet, a nil value has no winner.
    var winners: [FieldKey: (change: Change, user: String)?] = [:]
    /// Keys with a row in `fields` when this push began. Every key in `fieldWrites` was either
    /// looked up (and is here if found) or read from `fields`, so the others are new.
    var storedKeys: Set<FieldKey> = []
    /// Values stored in the history under one stamp (replay detection).
    var seen: [Stamp: [Value]] = [:]
    /// The same, by field and HLC whatever the node (twin detection).
    var atHLC: [TwinKey: [(node: NodeID, value: Value)]] = [:]
    /// Row entries; nil inside: the server has no such row.
    private(set) var rows: [RowKey: RowEntry?] = [:]
    /// The rows of each deal among `rows`, kept in step by `setRow`.
    private(set) var families: [String: Set<RowKey>] = [:]
    var owners: [String: String?] = [:]
    /// Every stored field of rows that may be resequenced, in seq order (read up front).
    var storedFields: [RowKey: [(change: Change, user: String, seq: Int64)]] = [:]

    // Writes waiting for `commit`.
    var history = PostgresChangeArrays(), historyWinners: [Bool] = []
    var conflicts = ConflictArrays()
    var scopeLog: [(seq: Int64, key: RowKey, user: String)] = []
    var fieldWrites: [FieldKey: (change: Change, user: String, seq: Int64)] = [:]
    /// Stored rows whose every field is in `fieldWrites` (read in for a resequence).
    var rowsInMemory: Set<RowKey> = []
    /// The keys of `fieldWrites` by row.
    var writesByRow: [RowKey: Set<FieldKey>] = [:]
    /// Rows created by this push: all their fields are in `fieldWrites`.
    var pendingRows: Set<RowKey> = []
    /// Stored child rows this push moved to another deal (or to none).
    var movedRows: [RowKey: String?] = [:]
    var pendingOwners: [String: String?] = [:]

    struct Stamp: Hashable { var key: FieldKey; var hlc: HLC; var node: NodeID }
    struct TwinKey: Hashable { var key: FieldKey; var hlc: HLC }
    struct RowKey: Hashable { var table: String; var row: String }

    /// Opens the transaction and reads what merging `changes` needs, in one round trip.
    init(db: PostgresConnection, user: User, now: Date, intent: BatchIntent, changes: [Change]) throws {
        self.db = db
        self.user = user
        self.now = now.milliseconds
        self.intent = intent
        guard !changes.isEmpty else { return }
        inTransaction = true
        try preload(changes)
    }

    /// Called by `preload` with the allocator's `last_seq`, read under its lock.
    func start(at lastSeq: Int64) {
        seq = lastSeq
        startSeq = lastSeq
    }

    func nextSeq() -> Int64 {
        seq += 1
        return seq
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
        atHLC[TwinKey(key: change.key, hlc: change.hlc), default: []].append((change.node, change.value))

        let current = try winner(change.key)
        let wins = current.map { Merge.wins(change, over: $0.change) } ?? true
        history.append(change, user: user.name)
        historyWinners.append(wins)
        guard let current else {
            setWinner(change)
            try afterWin(change, previous: nil)
            return true
        }
        let concurrent = Merge.isConcurrent(change, with: current.change) && change.value != current.change.value && !isTwin(change)
        if wins {
            setWinner(change)
            if concurrent { conflicts.append(winner: (change, user.name), loser: current) }
            try afterWin(change, previous: current.change)
        } else if concurrent {
            conflicts.append(winner: current, loser: (change, user.name))
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

    /// Whether another node's change of this field with the same HLC and value is stored or
    /// came earlier in this push: the same edit made on two replicas (one file imported on both,
    /// stamped from its dates) tells nobody anything new, so it is no conflict. The preload read
    /// every node's changes at the HLC of each pushed stamp not above its field's winner, which
    /// covers every stamp that can lose or tie (see SQLite's `MergeSession.hasTwin`).
    private func isTwin(_ change: Change) -> Bool {
        atHLC[TwinKey(key: change.key, hlc: change.hlc)]?.contains { $0.node != change.node && $0.value == change.value } ?? false
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
        if current != nil { storedKeys.insert(key) }
        return current
    }
}

/// Conflicts as parallel arrays for one multi-row insert: the field, then each side's value,
/// stamp and writer.
struct ConflictArrays {
    private var tables: [String] = [], rows: [String] = [], fields: [String] = []
    private var sides = [Side(), Side()]
    private(set) var count = 0

    private struct Side {
        var values = PostgresValueArrays()
        var hlcs: [Int64] = [], nodes: [String] = [], users: [String] = []
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(winner: (change: Change, user: String), loser: (change: Change, user: String)) {
        count += 1
        tables.append(winner.change.table); rows.append(winner.change.row.lowercased); fields.append(winner.change.field)
        for (index, side) in [winner, loser].enumerated() {
            sides[index].values.append(side.change.value)
            sides[index].hlcs.append(Int64(bitPattern: side.change.hlc.rawValue))
            sides[index].nodes.append(side.change.node.description)
            sides[index].users.append(side.user)
        }
    }

    /// The insert, every conflict stamped `detected`.
    func statement(detected: Int64) -> PostgresStatement {
        var parameters: [PostgresParameter] = [.textArray(tables), .textArray(rows), .textArray(fields)]
        for side in sides { parameters += side.values.parameters + [.integerArray(side.hlcs), .textArray(side.nodes), .textArray(side.users)] }
        parameters.append(.integer(detected))
        return PostgresStatement("""
            INSERT INTO conflicts(tbl, rid, field, win_kind, win_ival, win_tval, win_currency, win_hlc, win_node, win_usr,
                                  lose_kind, lose_ival, lose_tval, lose_currency, lose_hlc, lose_node, lose_usr, detected)
            SELECT *, $18::bigint FROM unnest($1::text[], $2::text[], $3::text[],
                $4::smallint[], $5::bigint[], $6::bytea[], $7::text[], $8::bigint[], $9::text[], $10::text[],
                $11::smallint[], $12::bigint[], $13::bytea[], $14::text[], $15::bigint[], $16::text[], $17::text[])
            """, parameters)
    }
}
