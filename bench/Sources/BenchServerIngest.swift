import Foundation
import GSPCore
import GSPServer
import GSPStore
import GSPWire

/// Server ingest: pushes of 1,000 changes merged by the SQLite server store (in process, and
/// over HTTP into a real gsp-server), next to raw SQLite upserts of the same rows with the
/// same durability (WAL, synchronous=FULL, one transaction per 1,000).
enum BenchServerIngest {
    static let manager = User(name: "bench-manager", role: .manager)
    static let node = NodeID(bytes: [UInt8](repeating: 0xB0, count: 16))

    static func run(_ bench: Bench) throws {
        let count = bench.quick ? 5_000 : 100_000
        let history = WireStats.pipelineHistory(changes: count, deals: bench.quick ? 500 : 10_000, seed: 11)
        let pushes = stride(from: 0, to: count, by: 1_000).map { start in
            (start..<min(start + 1_000, count)).map { IncomingChange(seq: UInt64($0 + 1), change: history[$0]) }
        }
        bench.section("server ingest: \(count) changes in pushes of 1,000 (SQLite store, synchronous=FULL)")
        var expected = MergedState()
        expected.apply(history)
        let heavy = bench.quick ? 1 : 3

        let raw = try RawSQLite.upserts(history, batch: 1_000, bench: bench, runs: heavy)
        var last: SQLiteServerStore?
        let seconds = try bench.median(runs: heavy, setup: { try freshStore() }) { store in
            for push in pushes {
                let outcome = try store.merge(changes: push, user: manager, node: node, now: Date())
                try verify(outcome.refusals.isEmpty, "the store refused \(outcome.refusals.count) changes: \(outcome.refusals.first!.reason)")
            }
            last = store
        }
        try verify(try winners(of: last!) == expected.winners, "the store's winners differ from MergedState of the same history")
        let rate = Double(count) / seconds
        bench.record(Figure(section: "server", name: "ingest through SQLiteServerStore.merge", unit: "changes/s", value: rate,
                            reference: "raw SQLite upsert-if-newer, same rows and durability", referenceValue: raw,
                            aim: ">= 50% of raw upsert", met: rate >= raw * 0.5))

        // The same pushes as sync frames over HTTP into a gsp-server process.
        let frames = pushes.map { push in
            Frame.encodeBytes(.request(SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1,
                                                   changes: push.map { PushedChange(seq: $0.seq, change: $0.change) })))
        }
        var peak = 0.0
        let httpSeconds = try bench.median(runs: heavy, setup: { try ServerProcess(users: [manager]) }) { server in
            let connection = try HTTPConnection(port: server.port)
            let token = server.tokens[manager.name]
            for frame in frames {
                let (status, body) = try connection.request("POST", "/v1/sync", token: token, body: frame)
                try verify(status == 200, "POST /v1/sync answered \(status)")
                guard case .response(let response) = try Frame.decode(body) else { throw BenchFailure(description: "not a response frame") }
                try verify(response.refusals.isEmpty, "the server refused \(response.refusals.count) changes")
            }
            let pulled = try PullClient.pullAll(port: server.port, token: token!, pageSize: 10_000)
            try verify(pulled.state.winners == expected.winners, "the server's state differs from MergedState of the same history")
            peak = server.peakMiB
            server.stop()
        }
        let httpRate = Double(count) / httpSeconds
        bench.record(Figure(section: "server", name: "ingest over HTTP into gsp-server (one client)", unit: "changes/s", value: httpRate,
                            reference: "raw SQLite upsert-if-newer", referenceValue: raw,
                            aim: ">= 50% of raw upsert", met: httpRate >= raw * 0.5))
        bench.record(Figure(section: "server", name: "gsp-server peak memory after ingest (VmHWM)", unit: "MiB", value: peak))
    }

    static func freshStore() throws -> SQLiteServerStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-store-\(UUID().uuidString).sqlite").path
        let store = try SQLiteServerStore(path: path)
        try store.addUser(manager, tokenHash: Token.hash("unused"))
        return store
    }

    /// Every winner in the store, through its pull (a manager sees all).
    static func winners(of store: SQLiteServerStore) throws -> [FieldKey: Change] {
        var state: [FieldKey: Change] = [:]
        var cursor: UInt64 = 0
        while true {
            let page = try store.pull(user: manager, cursor: cursor, limit: 50_000)
            for c in page.changes { state[c.key] = c }
            cursor = page.cursor
            if !page.hasMore { return state }
        }
    }
}

/// Pulls everything a user may see over HTTP, page by page, into a MergedState.
enum PullClient {
    struct Pulled {
        var state: MergedState
        var changes: Int
        var bytes: Int
    }

    static func pullAll(port: UInt16, token: String, pageSize: UInt32, node: NodeID = NodeID()) throws -> Pulled {
        let connection = try HTTPConnection(port: port)
        var pulled = Pulled(state: MergedState(), changes: 0, bytes: 0)
        var cursor: UInt64 = 0, epoch: UUID?
        while true {
            let request = SyncRequest(node: node, knownEpoch: epoch, cursor: cursor, pageSize: pageSize, changes: [])
            let (status, body) = try connection.request("POST", "/v1/sync", token: token, body: Frame.encodeBytes(.request(request)))
            try verify(status == 200, "pull answered \(status)")
            guard case .response(let page) = try Frame.decode(body) else { throw BenchFailure(description: "not a response frame") }
            pulled.state.apply(page.changes)
            pulled.changes += page.changes.count
            pulled.bytes += body.count
            cursor = page.cursor
            epoch = page.epoch
            if !page.hasMore { return pulled }
        }
    }
}
