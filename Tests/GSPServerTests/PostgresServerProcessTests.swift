import Foundation
import Synchronization
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// The real `gsp-server` executable over PostgreSQL: start-up errors, several servers over one
/// database, and PostgreSQL restarting under load. Skipped without GSP_TEST_POSTGRES_URL.
@Suite("gsp-server over PostgreSQL", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct PostgresServerProcessTests {
    /// Runs gsp-server to completion; returns the status and both outputs.
    static func server(_ arguments: [String]) throws -> ProcessResult {
        try GSPBinary.launch(GSPBinary.serverPath, arguments).wait()
    }

    @Test func badConnectionStringsAndWrongSchemaVersionsFailClearlyAtStart() throws {
        let listen = ["--listen", "127.0.0.1:0", "--quiet"]
        let malformed = try Self.server(["serve", "--db", "postgresql://gsp@127.0.0.1/x?no_such_option=1"] + listen)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("invalid connection string"), "\(malformed.stderr)")
        let unreachable = try Self.server(["serve", "--db", "postgres://gsp@127.0.0.1:1/none?connect_timeout=2"] + listen)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect to postgres://gsp@127.0.0.1:1/none"), "\(unreachable.stderr)")
        let otherScheme = try Self.server(["serve", "--db", "mysql://gsp@127.0.0.1/x"] + listen)
        #expect(otherScheme.status == 1)
        #expect(otherScheme.stderr.contains("unsupported database URL"), "\(otherScheme.stderr)")

        let database = try PostgresTestDatabase()
        let empty = try Self.server(["user", "list", "--db", database.url])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("holds no gsp-server schema: run 'gsp-server migrate"), "\(empty.stderr)")
        // The first migrate creates the schema and says so; "up to date" only when it already was.
        for expected in ["schema version 2 created in ", "is up to date (schema version 2, epoch "] {
            let migrated = try Self.server(["migrate", "--db", database.url])
            #expect(migrated.status == 0, "migrate is safe to run again: \(migrated.stderr)")
            #expect(migrated.stdout.contains(expected), "\(migrated.stdout)")
        }
        try database.execute("UPDATE schema_version SET version = 99")
        let newer = try Self.server(["serve", "--db", database.url] + listen)
        #expect(newer.status == 1)
        #expect(newer.stderr.contains("version 99, newer than this gsp-server's (version 2): upgrade gsp-server"), "\(newer.stderr)")
        try database.execute("UPDATE schema_version SET version = 0")
        let unknown = try Self.server(["migrate", "--db", database.url])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has version 0, which this gsp-server (schema version 2) does not know"), "\(unknown.stderr)")
    }

    /// Writers push through two servers at random while readers pull in small pages: every
    /// replica ends with exactly the reference merge, no cursor skipped a change that committed
    /// late, and no change was stored or delivered twice.
    @Test func twoServersOnOneDatabaseMissNoChange() async throws {
        let database = try PostgresTestDatabase()
        let (servers, token) = try Self.startServers(2, url: database.url)
        defer { for server in servers { server.server.stop() } }
        let urls = servers.map { URL(string: "http://127.0.0.1:\($0.port)")! }
        let deals = (0..<8).map { _ in RowID() }
        let writersDone = SyncCounter(), pushed = SyncCounter()
        let writers = 6, readers = 3

        let clients = try await withThrowingTaskGroup(of: SyncTestClient.self) { group in
            for index in 0..<(writers + readers) {
                group.addTask {
                    var client = SyncTestClient(token: token)
                    if index < writers {
                        for round in 0..<20 {
                            for _ in 0..<Int.random(in: 1...12) {
                                client.write("deals", deals.randomElement()!, "f\(Int.random(in: 0..<6))", .integer(Int64(round)))
                            }
                            await client.sync(urls.randomElement()!, pageSize: 7)
                        }
                        writersDone.count.add(1, ordering: .relaxed)
                    } else {
                        while writersDone.count.load(ordering: .relaxed) < writers {
                            await client.sync(urls.randomElement()!, pageSize: 5)
                        }
                    }
                    try await client.catchUp(urls, everyone: pushed, of: writers + readers)
                    return client
                }
            }
            var all: [SyncTestClient] = []
            for try await client in group { all.append(client) }
            return all
        }
        var reference = MergedState()
        for client in clients { reference.apply(client.written) }
        let written = clients.reduce(0) { $0 + $1.written.count }
        #expect(written > 200)
        let store = try PostgresServerStore(url: database.url, create: false)
        var stored = MergedState()
        stored.apply(try store.pullAll(user: manager).changes)
        #expect(Self.differences(stored, reference) == 0, "the store holds the reference merge")
        #expect(try store.history(since: nil, limit: 100_000).count == written, "every change stored exactly once")
        for (index, client) in clients.enumerated() {
            #expect(client.failures.isEmpty, "no round trip failed: \(client.failures) \(client.unreachable.prefix(3))")
            #expect(client.duplicates == 0, "a cursor handed out a change twice")
            #expect(Self.differences(client.state, reference) == 0, "replica \(index) (\(client.written.isEmpty ? "reader" : "writer")) differs from the reference merge")
        }
    }

    /// PostgreSQL stops and starts again while clients sync through two servers: they get
    /// 503s (not crashes, not 500s), retry, and converge; nothing acknowledged is lost.
    @Test func aPostgresRestartMidSyncGives503sThenConverges() async throws {
        let cluster = try PostgresCluster()
        let (servers, token) = try Self.startServers(2, url: cluster.url)
        defer { for server in servers { server.server.stop() } }
        let urls = servers.map { URL(string: "http://127.0.0.1:\($0.port)")! }
        let successes = SyncCounter(), restarted = SyncCounter(), pushed = SyncCounter()

        let clients = try await withThrowingTaskGroup(of: SyncTestClient.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var client = SyncTestClient(token: token)
                    let row = RowID()
                    var round = 0
                    // Keep syncing through the outage, until well after PostgreSQL is back.
                    while round < 25 || restarted.count.load(ordering: .relaxed) == 0 {
                        client.write("accounts", row, "f\(round % 5)", .integer(Int64(round)))
                        if await client.sync(urls.randomElement()!) == 200 {
                            successes.count.add(1, ordering: .relaxed)
                        } else {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        round += 1
                        if round > 5_000 { break }
                    }
                    try await client.catchUp(urls, everyone: pushed, of: 4)
                    return client
                }
            }
            while successes.count.load(ordering: .relaxed) < 20 { try await Task.sleep(for: .milliseconds(5)) }
            try cluster.stop()
            // Anyone may send a request: the 503 says nothing of the database (host, port, user).
            let anonymous = try await TestHTTP.send("GET", urls[0].absoluteString + "/v1/whoami", token: "bogus")
            #expect(anonymous.status == 503)
            // Liveness stays up; readiness says the database is away, so a balancer can route around.
            #expect(try await TestHTTP.send("GET", urls[0].absoluteString + "/healthz", token: nil).status == 200)
            let ready = try await TestHTTP.send("GET", urls[0].absoluteString + "/readyz", token: nil)
            #expect(ready.status == 503 && !ready.text.contains(String(cluster.port)), "\(ready.status) \(ready.text)")
            #expect(!anonymous.text.contains("postgres") && !anonymous.text.contains(String(cluster.port)), "\(anonymous.text)")
            #expect(servers[0].server.log.contains("postgres"), "the operator's log says why: \(servers[0].server.log)")
            try await Task.sleep(for: .milliseconds(700))
            try cluster.start()
            restarted.count.store(1, ordering: .relaxed)
            var all: [SyncTestClient] = []
            for try await client in group { all.append(client) }
            return all
        }
        for server in servers { #expect(server.process.isRunning, "a server died when PostgreSQL restarted") }
        #expect(try await TestHTTP.send("GET", urls[1].absoluteString + "/readyz", token: nil).status == 200)
        var reference = MergedState()
        for client in clients { reference.apply(client.written) }
        let failures = clients.reduce(into: [Int: Int]()) { all, client in all.merge(client.failures, uniquingKeysWith: +) }
        #expect(Set(failures.keys).isSubset(of: [503]), "only 503s while the database was away: \(failures) \(clients.flatMap(\.unreachable).prefix(3)); servers said, 503s aside: \(servers.map { Self.unusual($0.process.errorsSoFar) })")
        #expect(failures[503, default: 0] > 0, "the outage was seen")
        for client in clients {
            #expect(client.pending.isEmpty)
            #expect(client.duplicates == 0)
            #expect(Self.differences(client.state, reference) == 0)
        }
        let store = try PostgresServerStore(url: cluster.url, create: false)
        #expect(try store.history(since: nil, limit: 100_000).count == clients.reduce(0) { $0 + $1.written.count })
    }

    /// How many fields hold another winner (or none) in `state` than in `reference`; prints the first few.
    static func differences(_ state: MergedState, _ reference: MergedState) -> Int {
        let keys = Set(state.winners.keys).union(reference.winners.keys)
        let differing = keys.filter { state.winners[$0] != reference.winners[$0] }
        for key in differing.prefix(3) {
            print("differs \(key.table)/\(key.row)/\(key.field): has \(state.winners[key].map { "\($0.hlc) \($0.node)" } ?? "nothing"), reference \(reference.winners[key].map { "\($0.hlc) \($0.node)" } ?? "nothing")")
        }
        return differing.count
    }

    /// Migrates `url`, adds a manager and starts `count` servers on it.
    /// A server log's lines other than the expected 503s and request lines: what to read when a
    /// client saw something else.
    static func unusual(_ log: String) -> String {
        String(log.split(separator: "\n").filter { !$0.contains("got 503") && !$0.contains("\"status\":200") && !$0.contains("\"status\":503") }
            .joined(separator: "\n").suffix(3000))
    }

    static func startServers(_ count: Int, url: String) throws -> ([ServerProcess], String) {
        #expect(try server(["migrate", "--db", url]).status == 0)
        let added = try server(["user", "add", "meg", "--role", "manager", "--db", url])
        try #require(added.status == 0, "\(added.stderr)")
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return (try (0..<count).map { _ in try ServerProcess(db: url) }, token)
    }
}
