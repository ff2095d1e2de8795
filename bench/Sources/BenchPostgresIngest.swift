import Foundation
import GSPCore
import GSPPostgres
import GSPServer
import GSPWire

/// PostgreSQL ingest: the same pushes of 1,000 changes as the SQLite ingest, merged by
/// PostgresServerStore, next to a raw multi-row `INSERT ... ON CONFLICT` (upsert if newer) and
/// a `COPY` into a staging table plus one upsert, of the same rows, one transaction per 1,000.
/// Needs GSP_BENCH_POSTGRES_URL or GSP_TEST_POSTGRES_URL (scripts/bench.sh starts a server).
enum BenchPostgresIngest {
    static let manager = BenchServerIngest.manager
    static let node = BenchServerIngest.node

    static func run(_ bench: Bench) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let admin = environment["GSP_BENCH_POSTGRES_URL"] ?? environment["GSP_TEST_POSTGRES_URL"], !admin.isEmpty else {
            bench.note("PostgreSQL ingest not measured: no PostgreSQL (set GSP_BENCH_POSTGRES_URL, or run scripts/bench.sh, which starts one)")
            return
        }
        let count = bench.quick ? 5_000 : 100_000
        let history = WireStats.pipelineHistory(changes: count, deals: bench.quick ? 500 : 10_000, seed: 11)
        let pushes = stride(from: 0, to: count, by: 1_000).map { start in
            (start..<min(start + 1_000, count)).map { IncomingChange(seq: UInt64($0 + 1), change: history[$0]) }
        }
        bench.section("server ingest: \(count) changes in pushes of 1,000 (PostgreSQL store, one transaction per push)")
        var expected = MergedState()
        expected.apply(history)
        let runs = bench.quick ? 1 : 3

        let upsert = try bench.median(runs: runs, setup: { try Schema(admin: admin) }) { schema in
            try RawPostgres.upserts(history, on: try schema.connect())
        }
        let copy = try bench.median(runs: runs, setup: { try Schema(admin: admin) }) { schema in
            try RawPostgres.copies(history, on: try schema.connect())
        }
        var last: (PostgresServerStore, Schema)?
        var roundTrips = 0
        let seconds = try bench.median(runs: runs, setup: { () -> (PostgresServerStore, Schema) in
            let schema = try Schema(admin: admin)
            let store = try PostgresServerStore(url: schema.url)
            try store.addUser(manager, tokenHash: Token.hash("unused"))
            return (store, schema)
        }) { state in
            let before = state.0.roundTrips
            for push in pushes {
                let outcome = try state.0.merge(changes: push, user: manager, node: node, now: Date())
                try verify(outcome.refusals.isEmpty, "the store refused \(outcome.refusals.count) changes")
            }
            roundTrips = state.0.roundTrips - before
            last = state
        }
        var winners: [FieldKey: Change] = [:]
        var cursor: UInt64 = 0
        while true {
            let page = try last!.0.pull(user: manager, cursor: cursor, limit: 50_000)
            for change in page.changes { winners[change.key] = change }
            cursor = page.cursor
            if !page.hasMore { break }
        }
        try verify(winners == expected.winners, "the PostgreSQL store's winners differ from MergedState of the same history")
        let upsertRate = Double(count) / upsert, copyRate = Double(count) / copy, rate = Double(count) / seconds
        bench.record(Figure(section: "server", name: "PostgreSQL raw multi-row INSERT ... ON CONFLICT (upsert if newer)", unit: "changes/s", value: upsertRate))
        bench.record(Figure(section: "server", name: "PostgreSQL raw COPY into staging + one upsert", unit: "changes/s", value: copyRate))
        bench.record(Figure(section: "server", name: "ingest through PostgresServerStore.merge", unit: "changes/s", value: rate,
                            reference: "raw PostgreSQL multi-row upsert, same rows", referenceValue: upsertRate,
                            aim: ">= 50% of raw upsert", met: rate >= upsertRate * 0.5))
        bench.record(Figure(section: "server", name: "ingest through PostgresServerStore.merge, next to COPY", unit: "changes/s", value: rate,
                            reference: "raw PostgreSQL COPY into staging + one upsert, same rows", referenceValue: copyRate))
        bench.record(Figure(section: "server", name: "PostgreSQL round trips per push of 1,000 changes", unit: "round trips",
                            value: Double(roundTrips) / Double(pushes.count)))
        try scaling(bench, admin: admin, history: history, expected: expected, runs: runs)
        bench.note("PostgreSQL figures come from the server in GSP_BENCH_POSTGRES_URL / GSP_TEST_POSTGRES_URL (scripts/with-postgres.sh runs it with fsync=off); the store also keeps history, scope tables and acknowledgements the raw statements do not")
    }

    /// The same pushes over HTTP from several clients at once, into one gsp-server and then into
    /// two gsp-server processes on the same PostgreSQL: how ingest scales with server processes.
    /// Merges are serialized in the database (the sequence allocator's lock), so a second process
    /// adds HTTP, frame and merge-preparation capacity, not parallel commits.
    static func scaling(_ bench: Bench, admin: String, history: [Change], expected: MergedState, runs: Int) throws {
        let clients = bench.quick ? 2 : 4
        // Client i sends every clients-th push of 1,000, as its own node with its own sequence.
        let frames: [[[UInt8]]] = (0..<clients).map { client in
            let node = NodeID()
            return stride(from: client * 1_000, to: history.count, by: clients * 1_000).map { start in
                let push = (start..<min(start + 1_000, history.count)).map { PushedChange(seq: UInt64($0 + 1), change: history[$0]) }
                return Frame.encodeBytes(.request(SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1, changes: push)))
            }
        }
        var rates: [Int: Double] = [:]
        for processes in [1, 2] {
            var times: [Double] = []
            for _ in 0..<runs {
                let schema = try Schema(admin: admin)
                let tokens = try ServerProcess.addUsers([manager], to: try PostgresServerStore(url: schema.url))
                let servers = try (0..<processes).map { _ in try ServerProcess(database: schema.url, tokens: tokens) }
                defer { servers.forEach { $0.stop() } }
                let ports = servers.map(\.port), token = tokens[manager.name]!
                let load = try BenchConcurrency.load(clients: clients, duration: 0) { client, _ in
                    let connection = try HTTPConnection(port: ports[client % ports.count])
                    for frame in frames[client] {
                        let (status, body) = try connection.request("POST", "/v1/sync", token: token, body: frame)
                        try verify(status == 200, "POST /v1/sync answered \(status)")
                        guard case .response(let response) = try Frame.decode(body) else { throw BenchFailure(description: "not a response frame") }
                        try verify(response.refusals.isEmpty, "the server refused \(response.refusals.count) changes")
                    }
                    return BenchConcurrency.ClientResult()
                }
                times.append(load.seconds)
                let pulled = try PullClient.pullAll(port: ports.last!, token: token, pageSize: 10_000)
                try verify(pulled.state.winners == expected.winners, "the servers' state differs from MergedState of the same history")
            }
            rates[processes] = Double(history.count) / Bench.median(times)
        }
        bench.record(Figure(section: "server", name: "PostgreSQL ingest over HTTP, \(clients) clients into one gsp-server", unit: "changes/s",
                            value: rates[1]!))
        bench.record(Figure(section: "server", name: "PostgreSQL ingest over HTTP, \(clients) clients spread over two gsp-server processes", unit: "changes/s",
                            value: rates[2]!, reference: "one gsp-server, same clients", referenceValue: rates[1]!))
    }

    /// A schema of its own for one run, dropped afterwards.
    final class Schema {
        let admin: String
        let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var url: String { admin + (admin.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)" }

        init(admin: String) throws {
            self.admin = admin
            try PostgresConnection(url: admin).execute("CREATE SCHEMA \(name)")
        }

        func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

        deinit { _ = try? PostgresConnection(url: admin).executeScript("DROP SCHEMA IF EXISTS \(name) CASCADE") }
    }
}
