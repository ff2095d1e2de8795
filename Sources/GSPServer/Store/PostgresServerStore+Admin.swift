import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    public func history(since: Date?, limit: Int) throws -> [HistoryEntry] {
        try run { db in
            let rows = try db.execute("""
                SELECT \(Self.historyColumns) FROM history WHERE received >= $1 ORDER BY id LIMIT $2
                """, [.integer(since?.milliseconds ?? .min), .integer(Int64(max(0, limit)))])
            return try (0..<rows.rowCount).map { try Self.historyEntry(rows, $0) }
        }
    }

    // History ids follow commit order: every merge holds the sequence_allocator row lock
    // while it inserts history and until it commits, so no later page can gain an earlier id.
    public func history(afterID: Int64, limit: Int) throws -> HistoryPage {
        try run { db in
            let rows = try db.execute("""
                SELECT \(Self.historyColumns) FROM history WHERE id > $1 ORDER BY id LIMIT $2
                """, [.integer(afterID), .integer(Int64(max(0, limit)))])
            return HistoryPage(entries: try (0..<rows.rowCount).map { try Self.historyEntry(rows, $0) },
                               lastID: rows.rowCount > 0 ? rows.integer(rows.rowCount - 1, 13) : afterID)
        }
    }

    private static let historyColumns = "tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, received, winner, id"

    private static func historyEntry(_ rows: PostgresResult, _ i: Int) throws -> HistoryEntry {
        HistoryEntry(change: try rows.change(i), user: rows.text(i, 10),
                     received: Date(milliseconds: rows.integer(i, 11)), winner: rows.bool(i, 12))
    }

    public func conflicts(since: Date?) throws -> [ConflictRecord] {
        try run { db in
            let rows = try db.execute("""
                SELECT tbl, rid, field, win_kind, win_ival, win_tval, win_currency, win_hlc, win_node, win_usr,
                       lose_kind, lose_ival, lose_tval, lose_currency, lose_hlc, lose_node, lose_usr, detected
                FROM conflicts WHERE detected >= $1 ORDER BY id
                """, [.integer(since?.milliseconds ?? .min)])
            return try (0..<rows.rowCount).map { i in
                guard let rowID = UUID(uuidString: rows.text(i, 1)), let winNode = NodeID(rows.text(i, 8)),
                      let loseNode = NodeID(rows.text(i, 15)) else {
                    throw ServerStoreError("conflicts hold a row or node id that is not a UUID")
                }
                return ConflictRecord(
                    key: FieldKey(table: rows.text(i, 0), row: rowID, field: rows.text(i, 2)),
                    winning: ConflictSide(value: try PostgresValueColumns.decode(rows, i, 3), hlc: HLC(sql: rows.integer(i, 7)),
                                          node: winNode, user: rows.text(i, 9)),
                    losing: ConflictSide(value: try PostgresValueColumns.decode(rows, i, 10), hlc: HLC(sql: rows.integer(i, 14)),
                                         node: loseNode, user: rows.text(i, 16)),
                    detected: Date(milliseconds: rows.integer(i, 17)))
            }
        }
    }

    /// The tables a backup holds, in restore order.
    static let backupTables = ["meta", "sequence_allocator", "users", "fields", "history", "conflicts",
                               "row_deals", "deal_owners", "scope_log", "acks"]
    static var backupHeader: String { backupHeader(schemaVersion) }
    static func backupHeader(_ version: Int64) -> String { "gsp-server postgres backup, schema version \(version)\n" }
    /// Versions whose backups restore here: their tables and columns are this version's
    /// (version 2 changed only history's indexes).
    static let restorableVersions: [Int64] = [1, 2]

    /// Writes every table, from one snapshot, in COPY text format to one file. For very large
    /// databases, `pg_dump` does the same job in less memory (see docs/operations.md).
    public func backup(to path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw ServerStoreError("\(path) already exists: choose a new backup file name")
        }
        var data = Array(Self.backupHeader.utf8)
        try run { db in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                for table in Self.backupTables {
                    data += Array("table \(table)\n".utf8)
                    data += try db.copyOut("COPY \(table) TO STDOUT")
                    data += Array("\\.\n".utf8)
                }
            }
        }
        try BackupFile.write(data, to: path)
    }

    /// Replaces every table with the backup's in one transaction, then draws a new epoch:
    /// replicas synced after the backup hold cursors and acknowledgements this data never had.
    public func restore(from path: String) throws -> UUID {
        guard let data = FileManager.default.contents(atPath: path) else { throw ServerStoreError("no backup file at \(path)") }
        let sections = try Self.parseBackup(Array(data), path: path)
        let epoch = UUID()
        try run { db in
            try db.transaction {
                // Waits for merges in progress, and keeps new ones out until the restore commits.
                try db.execute("SELECT last_seq FROM sequence_allocator WHERE id = 1 FOR UPDATE")
                try db.execute("TRUNCATE " + Self.backupTables.joined(separator: ", "))
                for (table, rows) in sections {
                    var copy = CopyRows()
                    copy.appendRaw(rows)
                    try db.copyIn("COPY \(table) FROM STDIN", copy)
                }
                for table in ["history", "conflicts"] {
                    try db.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce(max(id), 0) + 1, false) FROM \(table)")
                }
                try db.execute("INSERT INTO sequence_allocator(id, last_seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
                try Self.setEpoch(epoch, in: db)
            }
        }
        return epoch
    }

    /// Gives the database a new epoch (after restoring it with pg_restore): every replica then
    /// pulls everything again and pushes what the database lacks.
    public func renewEpoch() throws -> UUID {
        let epoch = UUID()
        try run { db in try Self.setEpoch(epoch, in: db) }
        return epoch
    }

    static func setEpoch(_ epoch: UUID, in db: PostgresConnection) throws {
        try db.execute("INSERT INTO meta(key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       [.text(epoch.uuidString.lowercased())])
    }

    /// Splits a backup file into its tables' COPY data, checking the header and the table names.
    static func parseBackup(_ bytes: [UInt8], path: String) throws -> [(String, [UInt8])] {
        let headers = restorableVersions.map { Array(backupHeader($0).utf8) }
        guard let header = headers.first(where: { bytes.starts(with: $0) }) else {
            let first = String(decoding: bytes.prefix(while: { $0 != 0x0A }).prefix(80), as: UTF8.self)
            if first.hasPrefix("gsp-server postgres backup") {
                throw ServerStoreError("\(path) is a backup of another schema version (\(first)); this gsp-server writes and reads version \(schemaVersion)")
            }
            throw ServerStoreError("\(path) is not a gsp-server PostgreSQL backup: it is \(BackupFile.kind(of: bytes))")
        }
        var sections: [(String, [UInt8])] = []
        var lines = bytes[header.count...].split(separator: 0x0A, omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            if line.isEmpty && lines.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("table "), backupTables.contains(String(text.dropFirst(6))) else {
                throw ServerStoreError("\(path) is damaged: expected a table name, found '\(text.prefix(60))'")
            }
            var rows: [UInt8] = []
            var ended = false
            while let row = lines.popFirst() {
                if row.elementsEqual("\\.".utf8) { ended = true; break }
                rows += row
                rows.append(0x0A)
            }
            guard ended else { throw ServerStoreError("\(path) is truncated: table \(text.dropFirst(6)) has no end mark") }
            sections.append((String(text.dropFirst(6)), rows))
        }
        return sections
    }
}
