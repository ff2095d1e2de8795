import Foundation
import GSPCore
import GSPServer
import GSPStore
import GSPClient
import Synchronization

/// The initial pull: a new replica fetches 1,000,000 current field values (83,334 deals x 12
/// fields) from a real gsp-server in the largest pages it serves, next to raw SQLite inserting
/// the same rows: once decoded into MergedState only (the server and wire's share), once into
/// a GSPClient replica through Replica.sync (the whole path).
enum BenchInitialPull {
    static func run(_ bench: Bench) throws {
        let count = bench.quick ? 12_000 : 1_000_000
        let workload = PeerWorkload(replicas: 0, updates: 0, deals: (count + 11) / 12, seed: 5)
        let changes = Array(workload.baseChanges.prefix(count))
        bench.section("initial pull of \(count) changes over loopback (gsp-server on SQLite, pages of 5,000)")
        let manager = User(name: "bench-manager", role: .manager)
        let node = NodeID(bytes: [UInt8](repeating: 0xC1, count: 16))
        let server = try ServerProcess(users: [manager]) { store in
            for start in stride(from: 0, to: changes.count, by: 10_000) {
                let push = (start..<min(start + 10_000, changes.count)).map { IncomingChange(seq: UInt64($0 + 1), change: changes[$0]) }
                let outcome = try store.merge(changes: push, user: manager, node: node, now: Date())
                try verify(outcome.refusals.isEmpty, "loading the server refused \(outcome.refusals.count) changes")
            }
        }
        defer { server.stop() }
        let heavy = bench.quick ? 1 : 3
        var pulled: PullClient.Pulled?
        let token = server.tokens[manager.name]!
        let seconds = try bench.median(runs: heavy) {
            pulled = try PullClient.pullAll(port: server.port, token: token, pageSize: 5_000)
        }
        var expected = MergedState()
        expected.apply(changes)
        try verify(pulled!.changes == count && pulled!.state == expected, "the pulled state differs from what the server was given")
        let raw = try RawSQLite.inserts(changes, batch: 5_000, bench: bench, runs: heavy)

        // The same pull by the replica library into its SQLite file, through Replica.sync.
        var replica: Replica?
        let replicaSeconds = try bench.median(runs: heavy, setup: { () throws -> (Replica, SocketTransport) in
            (try BenchLocalEdits.scratchReplica(), try SocketTransport(port: server.port, token: token))
        }) { (r, transport) in
            let summary = try Blocking.run(r) { try await $0.sync(transport: transport, codec: WireSyncCodec(), pageSize: 5_000) }
            try verify(summary.pulled == count, "the replica pulled \(summary.pulled) of \(count) changes")
            replica = r
        }
        let stored = try replica!.rows(of: "deals")
        let wrongDeals = workload.rows.indices.filter { d in
            let fields = stored[workload.rows[d]] ?? [:]
            return (0..<12).contains { f in d * 12 + f < count && fields[PeerWorkload.fields[f]] != workload.base[d][f] }
        }.count
        try verify(wrongDeals == 0, "\(wrongDeals) deals in the replica differ from the server's")
        let replicaRate = Double(count) / replicaSeconds
        bench.record(Figure(section: "pull", name: "initial pull into a GSPClient replica (Replica.sync)", unit: "changes/s",
                            value: replicaRate, reference: "raw SQLite insert of the same rows, 5,000 per transaction",
                            referenceValue: raw, aim: ">= 50% of raw inserts", met: replicaRate >= raw * 0.5))
        let rate = Double(count) / seconds
        bench.record(Figure(section: "pull", name: "initial pull over HTTP, decoded only (server + wire, no local store)",
                            unit: "changes/s", value: rate, reference: "raw SQLite insert of the same rows, 5,000 per transaction",
                            referenceValue: raw))
        let perChange = Double(pulled!.bytes) / Double(count)
        bench.record(Figure(section: "pull", name: "bytes per change received (response bodies, deflate 1)", unit: "B/change",
                            value: perChange, aim: "<= 12 B/change", met: perChange <= 12))
        bench.record(Figure(section: "pull", name: "gsp-server peak memory (VmHWM) after \(heavy) pulls", unit: "MiB",
                            value: server.peakMiB))
    }
}

/// The replica library's transport over the bench's raw socket client (URLSession is too slow
/// here to measure the replica rather than the transport).
final class SocketTransport: Transport {
    private let connection: Mutex<HTTPConnection>
    private let token: String

    init(port: UInt16, token: String) throws {
        connection = Mutex(try HTTPConnection(port: port))
        self.token = token
    }

    func exchange(_ frame: Data) async throws -> Data {
        let token = token
        let (status, body) = try connection.withLock { try $0.request("POST", "/v1/sync", token: token, body: [UInt8](frame)) }
        guard status == 200 else { throw BenchFailure(description: "POST /v1/sync answered \(status)") }
        return Data(body)
    }
}

/// Runs an async sync to completion from the bench's synchronous code.
/// @unchecked: the caller blocks until the task ends, so the replica is only ever used by one thread at a time.
struct Blocking<T>: @unchecked Sendable {
    var value: T
    static func run<R>(_ subject: T, _ body: @escaping (T) async throws -> R) throws -> R {
        let box = Blocking<(T, ((T) async throws -> R), Result<R, any Error>?)>(value: (subject, body, nil))
        let result = Box<Blocking<Result<R, any Error>>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<R, any Error>
            do { outcome = .success(try await box.value.1(box.value.0)) } catch { outcome = .failure(error) }
            result.value.withLock { $0 = Blocking<Result<R, any Error>>(value: outcome) }
            done.signal()
        }
        done.wait()
        return try result.value.withLock { $0! }.value.get()
    }
}
