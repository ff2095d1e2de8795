import Foundation
import Testing
import GSPCore
@testable import GSPServer
import GSPPostgres
import GSPTestSupport

/// Schema version 2 changed only history's indexes: a version-1 database is migrated in place,
/// keeps its data and its replay detection, and its backups still restore.
@Suite("gsp-server migrates a PostgreSQL schema of version 1", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct PostgresMigrationTests {
    /// Builds a version-1 database the way a version-1 gsp-server did.
    private func versionOne(_ database: PostgresTestDatabase) throws {
        try database.execute(PostgresServerStore.schema.joined(separator: ";\n") + """
            ;
            INSERT INTO schema_version(version) VALUES (1);
            INSERT INTO meta(key, value) VALUES ('epoch', '\(UUID().uuidString.lowercased())');
            INSERT INTO sequence_allocator(id, last_seq) VALUES (1, 0);
            """)
    }

    private func historyIndexes(_ url: String) throws -> [String] {
        let rows = try PostgresConnection(url: url).execute("""
            SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'history' ORDER BY indexname
            """)
        // Index definitions name the schema: keep only what follows the table name.
        return (0..<rows.rowCount).map { rows.text($0, 0).replacingOccurrences(of: #"ON \S+\.history"#, with: "ON history", options: .regularExpression) }
    }

    @Test func aVersionOneDatabaseIsMigratedInPlaceAndKeepsItsHistory() throws {
        let old = try PostgresTestDatabase()
        try versionOne(old)
        #expect(try historyIndexes(old.url).contains { $0.contains("history_stamp") })
        var writer = Writer()
        let deal = RowID()
        let pushed = writer.deal(deal, owner: "alice") + [writer.change("deals", deal, "stage", .text("poc"))]
        // Written into version 1 by hand, as a version-1 server would have stored it.
        let first = pushed[0].change
        try old.execute("""
            INSERT INTO history(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, received, winner)
            VALUES ('\(first.table)', '\(first.row.lowercased)', '\(first.field)', \(first.value.kind.rawValue), NULL,
                    convert_to('Deal', 'UTF8'), NULL, \(Int64(bitPattern: first.hlc.rawValue)), '\(first.node.description)', 0, 'meg', 1, true);
            INSERT INTO fields(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq)
            SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, 1 FROM history;
            INSERT INTO row_deals(tbl, rid, deal) VALUES ('deals', '\(deal.lowercased)', '\(deal.lowercased)');
            UPDATE sequence_allocator SET last_seq = 1;
            """)

        let store = try PostgresServerStore(url: old.url)
        let version = try PostgresConnection(url: old.url).execute("SELECT max(version)::bigint FROM schema_version")
        #expect(version.integer(0, 0) == PostgresServerStore.schemaVersion)
        let fresh = try PostgresTestDatabase()
        _ = try PostgresServerStore(url: fresh.url)
        #expect(try historyIndexes(old.url) == historyIndexes(fresh.url), "a migrated and a new database have the same indexes")

        // The stored change is recognised as a replay through the new index; the rest is new.
        let outcome = try store.merge(changes: pushed, user: manager, node: writer.node, now: Date())
        #expect(outcome.accepted == pushed.count - 1)
        #expect(try store.history(since: nil, limit: 100).count == pushed.count)
        let again = try store.merge(changes: pushed, user: manager, node: writer.node, now: Date())
        #expect(again.accepted == 0, "every change is a replay now")
    }

    @Test func aBackupOfVersionOneRestores() throws {
        let database = try PostgresTestDatabase()
        let store = try PostgresServerStore(url: database.url)
        var writer = Writer()
        let deal = RowID()
        _ = try store.merge(changes: writer.deal(deal, owner: "alice"), user: manager, node: writer.node, now: Date())
        let directory = TemporaryDirectory("gsp-migration")
        let path = directory.path("backup")
        try store.backup(to: path)
        var bytes = try #require(FileManager.default.contents(atPath: path))
        let header = Data(PostgresServerStore.backupHeader.utf8)
        #expect(bytes.starts(with: header))
        bytes.replaceSubrange(0..<header.count, with: Data(PostgresServerStore.backupHeader(1).utf8))
        let old = directory.path("backup-v1")
        try bytes.write(to: URL(fileURLWithPath: old))
        _ = try store.restore(from: old)
        #expect(try store.history(since: nil, limit: 100).count == 2)
    }
}
