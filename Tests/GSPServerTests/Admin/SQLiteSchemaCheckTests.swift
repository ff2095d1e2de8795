import Foundation
import Testing
@testable import GSPServer
import GSPStore
import GSPTestSupport

/// Found by a breaker: on SQLite, a renamed `fields` table was quietly created anew, empty, and
/// the server served an empty pipeline under the same epoch; a dropped column failed every push.
@Suite("gsp-server checks the SQLite schema at start")
struct SQLiteSchemaCheckTests {
    @Test func aMissingTableOrColumnIsRefusedByEveryCommand() throws {
        let dir = TemporaryDirectory("gsp-schema")
        let db = dir.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        let damages: [(damage: String, repair: String, message: String)] = [
            ("ALTER TABLE fields RENAME TO fields_old", "ALTER TABLE fields_old RENAME TO fields", "lacks table fields: it was changed outside gsp-server"),
            ("ALTER TABLE users DROP COLUMN region", "ALTER TABLE users ADD COLUMN region TEXT", "lacks column users.region:"),
        ]
        for (damage, repair, message) in damages {
            try Database(path: db).execute(damage)
            for command in [["migrate"], ["user", "list"], ["conflicts"], ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
                let result = try AdminRun.refused(GSPBinary.serverPath, command + ["--db", db])
                #expect(result.status == 1, "\(command) after \(damage): exit \(result.status) \(result.stdout)")
                #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
            }
            // Refused means untouched: no empty twin of the renamed table was made.
            #expect(try Database(path: db).scalar("SELECT count(*) FROM sqlite_master WHERE name = 'fields'")?.integer == (damage.contains("RENAME") ? 0 : 1))
            try Database(path: db).execute(repair)
            #expect(try AdminRun.server(["migrate", "--db", db]).status == 0, "after \(repair)")
        }
    }

    /// Both stores read the expected tables and columns off their own CREATE TABLE statements.
    @Test func theExpectedColumnsAreEveryTableOfEachSchema() {
        let sqlite = Dictionary(uniqueKeysWithValues: SQLiteServerStore.expectedColumns.map { ($0.table, $0.columns) })
        #expect(sqlite.count == SQLiteServerStore.schema.components(separatedBy: "CREATE TABLE").count - 1)
        #expect(sqlite["users"] == ["name", "role", "region", "token_hash", "revoked", "created"])
        #expect(sqlite["rows"] == ["tbl", "row", "deal"])
        #expect(sqlite["conflicts"]?.count == 17)   // id, tbl, row, field, 6 win_, 6 lose_, detected
    }
}
