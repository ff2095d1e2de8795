import Foundation
import Testing
@testable import GSPServer
import GSPTestSupport

/// Found by a breaker: with the `conflicts` table renamed, `migrate` said "is up to date" and
/// `serve` started, and the first push that needed the table failed with 500 forever; an
/// emptied schema_version table was reported as "version 0".
@Suite("gsp-server checks the PostgreSQL schema at start", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct PostgresSchemaCheckTests {
    @Test func aMissingTableColumnOrVersionRowIsRefusedByEveryCommand() throws {
        let database = try PostgresTestDatabase()
        #expect(try AdminRun.server(["migrate", "--db", database.url]).status == 0)
        let damages: [(damage: String, repair: String, message: String)] = [
            ("ALTER TABLE conflicts RENAME TO conflicts_old", "ALTER TABLE conflicts_old RENAME TO conflicts", "lacks table conflicts: it was changed outside gsp-server"),
            ("ALTER TABLE fields RENAME COLUMN hlc TO hlc_old", "ALTER TABLE fields RENAME COLUMN hlc_old TO hlc", "lacks column fields.hlc:"),
            ("DROP TABLE acks; DROP TABLE scope_log", "", "lacks table scope_log, table acks:"),
        ]
        for (damage, repair, message) in damages {
            try database.execute(damage)
            for command in [["migrate"], ["user", "list"], ["conflicts"], ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
                let result = try AdminRun.refused(GSPBinary.serverPath, command + ["--db", database.url])
                #expect(result.status == 1, "\(command) after \(damage): exit \(result.status) \(result.stdout)")
                #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
            }
            if !repair.isEmpty {
                try database.execute(repair)
                #expect(try AdminRun.server(["migrate", "--db", database.url]).status == 0, "after \(repair)")
            }
        }

        let emptied = try PostgresTestDatabase()
        #expect(try AdminRun.server(["migrate", "--db", emptied.url]).status == 0)
        try emptied.execute("DELETE FROM schema_version")
        for command in [["migrate"], ["user", "list"], ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
            let result = try AdminRun.refused(GSPBinary.serverPath, command + ["--db", emptied.url])
            #expect(result.status == 1 && result.stderr.contains("schema_version table") && result.stderr.contains("holds no version row"),
                    "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("version 0"), "\(result.stderr)")
        }
    }

    /// The check reads the expected tables and columns off the CREATE TABLE statements.
    @Test func theExpectedColumnsAreEveryTableOfTheSchema() {
        let expected = Dictionary(uniqueKeysWithValues: PostgresServerStore.expectedColumns.map { ($0.table, $0.columns) })
        #expect(expected.count == PostgresServerStore.schema.filter { $0.hasPrefix("CREATE TABLE") }.count)
        #expect(expected["sequence_allocator"] == ["id", "last_seq"])
        #expect(expected["fields"] == ["tbl", "rid", "field", "kind", "ival", "tval", "currency", "hlc", "node", "prev", "usr", "seq"])
        #expect(expected["conflicts"]?.count == 19)   // id, tbl, rid, field, 7 win_, 7 lose_, detected
    }
}
