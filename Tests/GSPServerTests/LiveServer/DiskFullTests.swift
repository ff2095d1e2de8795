import Foundation
import Testing
import GSPTestSupport

/// Found by a breaker: when the server's disk was full during a push, the rep's client showed
/// the operator's advice ("free some space"). The rep must be told the server cannot store
/// changes right now (503: retry later, changes stay pending); the operator's log names the disk.
///
/// The full disk is made with the server's TEST HOOK `GSP_TEST_SPARE_PAGES` (SQLite's
/// `max_page_count`: the database may not grow), which fails writes with SQLITE_FULL exactly as a
/// full disk does; no mount or root needed.
@Suite("Live server: full disk")
struct DiskFullTests {
    @Test func aFullDiskTellsTheRepToRetryAndTheOperatorWhy() throws {
        let team = try LiveTeam(users: [("alice", "rep")], start: false)
        team.server.environment = ["GSP_TEST_SPARE_PAGES": "0"]
        try team.server.start()
        let replica = team.directory.path("alice-cli.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        #expect(try GSPBinary.run(["login", "--server", team.server.url, "--token", team.tokens["alice"]!], replica: replica).status == 0)
        // A title too long for the pages the database has: the push must grow the file.
        let deal = try GSPBinary.run(["deal", "new", "--account", "Acme", "--title", String(repeating: "Port ", count: 4_000)], replica: replica)
        #expect(deal.status == 0, "\(deal.stderr)")
        let pendingBefore = try GSPBinary.run(["pending"], replica: replica).stdout

        let synced = try GSPBinary.run(["sync", "--retries", "0"], replica: replica)
        #expect(synced.status != 0)
        let said = synced.stdout + synced.stderr
        #expect(said.contains("HTTP 503"), "\(said)")
        #expect(said.contains("the server cannot store changes right now"), "\(said)")
        #expect(said.contains("stay pending"), "\(said)")
        for operatorWord in ["free some space", "SQLite", "disk is full", "SQL:"] {
            #expect(!said.contains(operatorWord), "the rep was shown '\(operatorWord)': \(said)")
        }
        // Nothing was acknowledged: the changes are still pending on the replica.
        #expect(try GSPBinary.run(["pending"], replica: replica).stdout == pendingBefore)
        #expect(!pendingBefore.isEmpty)
        // The operator's log says what is wrong and what to do.
        #expect(team.server.log.contains("gsp-server: error: a sync from alice"), "\(team.server.log)")
        #expect(team.server.log.contains("the disk holding the database is full (free some space"), "\(team.server.log)")
        #expect(team.server.log.split(separator: "\n").allSatisfy { $0.hasPrefix("gsp-server: ") }, "one line per event: \(team.server.log)")

        // Space again (the server restarted without the limit): the same replica syncs what was pending.
        team.server.environment = [:]
        try team.server.start()
        #expect(try GSPBinary.run(["login", "--server", team.server.url, "--token", team.tokens["alice"]!], replica: replica).status == 0)
        let again = try GSPBinary.run(["sync", "--retries", "0"], replica: replica)
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(try team.serverHistoryCount() > 0)
    }
}
