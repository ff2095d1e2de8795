import Foundation
import GSPCore
import GSPStore

extension SQLiteServerStore {
    public func history(since: Date?, limit: Int) throws -> [HistoryEntry] {
        try queue.snapshot { db in
            try db.query("""
                SELECT \(Self.historyColumns) FROM history WHERE received >= ? ORDER BY id LIMIT ?
                """, [.integer(since?.milliseconds ?? .min), .integer(Int64(max(0, limit)))]) { try Self.historyEntry($0).entry }
        }
    }

    public func history(afterID: Int64, limit: Int) throws -> HistoryPage {
        let rows = try queue.snapshot { db in
            try db.query("""
                SELECT \(Self.historyColumns) FROM history WHERE id > ? ORDER BY id LIMIT ?
                """, [.integer(afterID), .integer(Int64(max(0, limit)))], Self.historyEntry)
        }
        return HistoryPage(entries: rows.map(\.entry), lastID: rows.last?.id ?? afterID)
    }

    private static let historyColumns = "tbl, row, field, kind, value, currency, hlc, node, prev, user, received, winner, id"

    private static func historyEntry(_ row: Row) throws -> (entry: HistoryEntry, id: Int64) {
        guard let rowID = UUID(uuidString: row.text(1)), let node = NodeID(row.text(7)) else {
            throw ServerStoreError("history holds a row or node id that is not a UUID")
        }
        let change = Change(table: row.text(0), row: rowID, field: row.text(2), value: try StoredValue.decode(row, at: 3),
                            hlc: HLC(sql: row.integer(6)), node: node, prev: HLC(sql: row.integer(8)))
        return (HistoryEntry(change: change, user: row.text(9), received: Date(milliseconds: row.integer(10)), winner: row.integer(11) != 0),
                row.integer(12))
    }

    public func conflicts(since: Date?) throws -> [ConflictRecord] {
        try queue.snapshot { db in
            try db.query("""
                SELECT tbl, row, field, win_kind, win_value, win_currency, win_hlc, win_node, win_user,
                       lose_kind, lose_value, lose_currency, lose_hlc, lose_node, lose_user, detected
                FROM conflicts WHERE detected >= ? ORDER BY id
                """, [.integer(since?.milliseconds ?? .min)]) { row in
                guard let rowID = UUID(uuidString: row.text(1)), let winNode = NodeID(row.text(7)), let loseNode = NodeID(row.text(13)) else {
                    throw ServerStoreError("conflicts hold a row or node id that is not a UUID")
                }
                return ConflictRecord(
                    key: FieldKey(table: row.text(0), row: rowID, field: row.text(2)),
                    winning: ConflictSide(value: try StoredValue.decode(row, at: 3), hlc: HLC(sql: row.integer(6)), node: winNode, user: row.text(8)),
                    losing: ConflictSide(value: try StoredValue.decode(row, at: 9), hlc: HLC(sql: row.integer(12)), node: loseNode, user: row.text(14)),
                    detected: Date(milliseconds: row.integer(15)))
            }
        }
    }

    /// `VACUUM INTO` writes a consistent, compacted copy while other connections keep working.
    public func backup(to path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw ServerStoreError("\(path) already exists: choose a new backup file name")
        }
        do { try Self.checkFolder(of: path) } catch { throw ServerStoreError("cannot write the backup: \(error.message)") }
        try queue.read { db in try db.run("VACUUM INTO ?", [.text(path)]) }
    }

    /// Copies every table of the backup over this store in one transaction, then draws a new
    /// epoch: replicas synced after the backup hold cursors and acknowledgements this data never had.
    public func restore(from path: String) throws -> UUID {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ServerStoreError("no backup file at \(path)")
        }
        if let kind = FileKind(mode: info.st_mode) {
            throw ServerStoreError("cannot restore from \(path): it is \(kind.description), not a backup file; give the file 'gsp-server backup' wrote")
        }
        do {
            let source = try Database(path: path, create: false, readOnly: true)
            guard try source.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")?.integer == 1,
                  try source.scalar("SELECT value FROM meta WHERE key = 'epoch'") != nil else {
                throw ServerStoreError("\(path) is not a gsp-server backup (it has no meta table with an epoch)")
            }
        } catch let error as DatabaseError {
            throw ServerStoreError("\(path) is not a gsp-server backup: \(error.message)")
        }
        let epoch = UUID()
        try queue.read { db in try db.run("ATTACH DATABASE ? AS backup", [.text(path)]) }
        defer { _ = try? queue.read { db in try db.execute("DETACH DATABASE backup") } }
        try queue.write { db in
            let tables = try db.query("SELECT name FROM backup.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") { $0.text(0) }
            let known = Set(try db.query("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") { $0.text(0) })
            for table in known {
                try db.execute("DELETE FROM main.\"\(table)\"")
            }
            for table in tables where known.contains(table) {
                try db.execute("INSERT INTO main.\"\(table)\" SELECT * FROM backup.\"\(table)\"")
            }
            try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('epoch', ?)", [.text(epoch.uuidString.lowercased())])
        }
        try migrate()
        return epoch
    }
}
