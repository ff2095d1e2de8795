import Foundation
import Testing
import GSPTestSupport

/// Found by a new user's tryout: `gsp-server conflicts --json` with no conflicts printed `[`, a
/// blank line and `]`; `migrate` on a new database said it "is up to date"; `conflicts --since`
/// took a date but the HTTP route did not (see `QueryParameterTests`).
@Suite("gsp-server output")
struct AdminOutputTests {
    /// Every `--json` list of gsp-server prints an empty list as `[]`.
    @Test func anEmptyJSONListIsTwoBrackets() throws {
        let directory = TemporaryDirectory("gsp-admin-empty-json")
        let db = directory.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        for command in [["conflicts", "--json"], ["conflicts", "--json", "--since", "2030-01-01"], ["user", "list", "--json"]] {
            let result = try AdminRun.server(command + ["--db", db])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stdout == "[]\n", "\(command): \(result.stdout.debugDescription)")
        }
    }

    /// `conflicts --since` takes a date or a full ISO 8601 time; anything else is a usage error
    /// naming both forms.
    @Test func conflictsSinceTakesADateOrATime() throws {
        let directory = TemporaryDirectory("gsp-admin-since")
        let db = directory.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        for since in ["2030-01-01", "2030-01-01T08:00:00Z"] {
            #expect(try AdminRun.server(["conflicts", "--since", since, "--db", db]).status == 0, "\(since)")
        }
        for since in ["31/01/2026", "garbage", "2026-02-30"] {
            let refused = try AdminRun.server(["conflicts", "--since", since, "--db", db])
            #expect(refused.status == 64, "\(since)")
            #expect(refused.stderr.contains("--since") && refused.stderr.contains("YYYY-MM-DD"), "\(since): \(refused.stderr)")
        }
    }

    /// `migrate` says it created the schema (and its version) when it did, and "up to date" only
    /// when the database already had it.
    @Test func migrateSaysWhetherItCreatedTheSchema() throws {
        let directory = TemporaryDirectory("gsp-admin-migrate")
        let db = directory.path("new.sqlite")
        let created = try AdminRun.server(["migrate", "--db", db])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("schema version 1 created in \(db)"), "\(created.stdout)")
        #expect(!created.stdout.contains("up to date"), "\(created.stdout)")
        let again = try AdminRun.server(["migrate", "--db", db])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\(db) is up to date (schema version 1, epoch "), "\(again.stdout)")
        // A database serve created (the usual first start) is up to date for migrate too.
        let served = directory.path("served.sqlite")
        #expect(try AdminRun.server(["user", "add", "ana", "--role", "rep", "--db", served]).status == 0)
        #expect(try AdminRun.server(["migrate", "--db", served]).stdout.contains("is up to date"))
    }
}
