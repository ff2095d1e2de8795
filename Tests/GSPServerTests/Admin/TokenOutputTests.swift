import Foundation
import Testing
import GSPStore
import GSPTestSupport

/// Found by a breaker: `gsp-server user add X --role rep > /full/disk/file` added the user and lost the token.
@Suite("gsp-server user add: the token is the only copy")
struct TokenOutputTests {
    /// `user add` prints the only copy of the token: when stdout cannot take it (a full disk),
    /// the command fails and nobody is added, nor is a revoked user given a new token.
    @Test func aTokenThatCannotBeWrittenAddsNobody() throws {
        let directory = TemporaryDirectory("gsp-admin-token")
        let db = directory.path("server.db")
        let lost = try AdminRun.server(["user", "add", "alice", "--role", "rep", "--db", db], stdoutPath: "/dev/full")
        #expect(lost.status == 1)
        #expect(lost.stderr.contains("cannot write the token") && lost.stderr.contains("'alice' was not added"), "\(lost.stderr)")
        #expect(!lost.stderr.contains("added rep"))
        #expect(try AdminRun.server(["user", "list", "--json", "--db", db]).stdout.filter { !$0.isWhitespace } == "[]")
        // Run again with a writable stdout, it works (no "already exists").
        let added = try AdminRun.server(["user", "add", "alice", "--role", "rep", "--db", db])
        #expect(added.status == 0, "\(added.stderr)")
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count > 20)
        // A revoked user re-added onto a full stdout stays revoked, with the old token's hash.
        #expect(try AdminRun.server(["user", "revoke", "alice", "--db", db]).status == 0)
        let before = try GSPStoreSnapshot.users(db)
        #expect(try AdminRun.server(["user", "add", "alice", "--role", "manager", "--db", db], stdoutPath: "/dev/full").status == 1)
        #expect(try GSPStoreSnapshot.users(db) == before)
    }

    /// A suggested command names a user with a space as one shell word, so it can be pasted.
    @Test func aSuggestedCommandQuotesANameWithASpace() throws {
        let directory = TemporaryDirectory("gsp-admin-quote")
        let db = directory.path("server.db")
        #expect(try AdminRun.server(["user", "add", "Agent 01", "--role", "rep", "--db", db]).status == 0)
        let again = try AdminRun.server(["user", "add", "Agent 01", "--role", "rep", "--db", db])
        #expect(again.status == 1 && again.stderr.contains("run 'gsp-server user revoke \"Agent 01\"' first"), "\(again.stderr)")
    }
}

/// The users table read straight from the file, to compare before and after.
enum GSPStoreSnapshot {
    static func users(_ db: String) throws -> [String] {
        let database = try Database(path: db, create: false, readOnly: true)
        return try database.query("SELECT name, role, revoked, hex(token_hash) FROM users ORDER BY name") { row in
            "\(row.text(0)) \(row.text(1)) \(row.integer(2)) \(row.text(3))"
        }
    }
}
