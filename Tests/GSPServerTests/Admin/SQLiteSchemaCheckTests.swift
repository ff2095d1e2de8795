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

    /// Found by a breaker: `serve --db /etc/passwd` refused but left `/etc/passwd.lock` (which
    /// breaks useradd); an unrelated SQLite file got gsp-server's tables added and was served; a
    /// replica given as --db dumped the schema SQL; a version row of 0, abc or -1 was overwritten.
    /// Each is refused by every command, naming what the file is, and nothing is written.
    @Test func someoneElsesFileIsRefusedUntouchedWithNoLockBesideIt() throws {
        let dir = TemporaryDirectory("gsp-foreign")
        let text = dir.path("passwd")
        try Data("root:x:0:0:root:/root:/bin/bash\n".utf8).write(to: URL(fileURLWithPath: text))
        let foreign = dir.path("other.db")
        try Database(path: foreign).execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        let replica = dir.path("rep.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "ana"], replica: replica).status == 0)
        let cases: [(file: String, message: String)] = [
            (text, "is not a gsp-server database: it is text starting with 'root:x:0:0"),
            (foreign, "is a SQLite database but not a gsp-server one (it holds t)"),
            (replica, "it looks like a gsp replica"),
        ]
        for (file, message) in cases {
            let before = try Data(contentsOf: URL(fileURLWithPath: file))
            for command in [["migrate"], ["user", "list"], ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
                let result = try AdminRun.refused(GSPBinary.serverPath, command + ["--db", file])
                #expect(result.status == 1 && result.stderr.contains(message), "\(command) \(file): \(result.stderr)")
                #expect(!result.stderr.contains("CREATE TABLE"), "\(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: file + ".lock"), "a lock file was left beside \(file)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "\(file) was changed")
        }
        let db = dir.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        for damaged in ["0", "abc", "-1"] {
            try Database(path: db).run("UPDATE meta SET value = ? WHERE key = 'schema_version'", [.text(damaged)])
            let result = try AdminRun.refused(GSPBinary.serverPath, ["migrate", "--db", db])
            #expect(result.status == 1 && result.stderr.contains("damaged schema version ('\(damaged)'"), "\(result.stderr)")
            #expect(try Database(path: db).scalar("SELECT value FROM meta WHERE key = 'schema_version'")?.text == damaged, "overwritten")
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
