import Foundation
import GSPCore
import GSPServer
import GSPWire
import Synchronization

/// Many reps syncing at once with a real gsp-server over loopback: each client is a thread
/// with its own keep-alive connection, user and node, creating its deals and then pushing a
/// few field edits and pulling, in a loop. Next to the same connections asking GET /healthz
/// (the HTTP stack's own ceiling on this machine).
enum BenchConcurrency {
    static let dealsPerClient = 10

    struct ClientResult: Sendable {
        var latencies: [Double] = []
        var errors = 0
        var firstError: String?
        var changes = 0
        /// What this client wrote last to each of its fields: the server must end with exactly this.
        var written: [FieldKey: Value] = [:]
    }

    static func run(_ bench: Bench) throws {
        let duration = bench.quick ? 0.5 : 10.0
        for clients in bench.quick ? [4] : [50, 200] {
            bench.section("\(clients) concurrent clients over loopback for \(duration) s (SQLite server)")
            let reps = (0..<clients).map { User(name: "rep\($0)", role: .rep) }
            let manager = User(name: "bench-manager", role: .manager)
            let server = try ServerProcess(users: reps + [manager])
            defer { server.stop() }

            let healthPort = server.port
            let health = try load(clients: clients, duration: duration / 2) { _, stop in
                let connection = try HTTPConnection(port: healthPort)
                var result = ClientResult()
                while !stop() {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let (status, _) = try connection.request("GET", "/healthz", token: nil)
                    result.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    if status != 200 { result.errors += 1 }
                }
                return result
            }
            let sampler = MemorySampler(pid: server.pid)
            let ownBaseline = Machine.memoryMiB(pid: nil, field: "VmRSS:")
            let own = MemorySampler(pid: getpid())
            let tokens = server.tokens, port = server.port
            let results = try load(clients: clients, duration: duration) { i, stop in
                try syncLoop(client: i, user: "rep\(i)", token: tokens["rep\(i)"]!, port: port, stop: stop)
            }
            let samples = sampler.stop()
            let loadGenerator = (own.stop().max() ?? ownBaseline) - ownBaseline
            let peak = server.peakMiB

            // Correctness: every field each client wrote holds what it wrote last, as a manager pulls it.
            let pulled = try PullClient.pullAll(port: server.port, token: server.tokens[manager.name]!, pageSize: 10_000)
            var expected: [FieldKey: Value] = [:]
            for r in results.clients { expected.merge(r.written) { a, _ in a } }
            let wrong = expected.filter { pulled.state.value($0.key) != $0.value }.count
            try verify(wrong == 0, "\(wrong) of \(expected.count) fields do not hold their last acknowledged write")

            let latencies = results.clients.flatMap(\.latencies).sorted()
            let errors = results.clients.reduce(0) { $0 + $1.errors }
            if let first = results.clients.compactMap(\.firstError).first { bench.note("\(clients) clients: first error: \(first)") }
            let rate = Double(latencies.count) / results.seconds
            let healthRate = Double(health.clients.reduce(0) { $0 + $1.latencies.count }) / health.seconds
            let p50 = percentile(latencies, 0.50), p99 = percentile(latencies, 0.99)
            let healthLatencies = health.clients.flatMap(\.latencies).sorted()
            let section = "\(clients) clients"
            bench.record(Figure(section: section, name: "sync round trips (push 5 edits + pull)", unit: "requests/s", value: rate,
                                reference: "GET /healthz, same connections", referenceValue: healthRate))
            bench.record(Figure(section: section, name: "field changes merged", unit: "changes/s",
                                value: Double(results.clients.reduce(0) { $0 + $1.changes }) / results.seconds))
            bench.record(Figure(section: section, name: "sync latency p50", unit: "ms", value: p50 * 1000,
                                reference: "GET /healthz p50", referenceValue: percentile(healthLatencies, 0.5) * 1000))
            bench.record(Figure(section: section, name: "sync latency p99", unit: "ms", value: p99 * 1000,
                                reference: "GET /healthz p99", referenceValue: percentile(healthLatencies, 0.99) * 1000,
                                aim: clients >= 200 ? "< 1000 ms" : nil, met: clients >= 200 ? p99 < 1 : nil))
            bench.record(Figure(section: section, name: "errors", unit: "requests", value: Double(errors),
                                reference: "of", referenceValue: Double(latencies.count), referenceUnit: "requests",
                                aim: clients >= 200 ? "none" : nil, met: clients >= 200 ? errors == 0 : nil))
            let half = samples.count / 2
            let early = samples.prefix(max(half, 1)).max() ?? 0, late = samples.suffix(max(samples.count - half, 1)).max() ?? 0
            bench.record(Figure(section: section, name: "gsp-server peak memory (VmHWM)", unit: "MiB", value: peak))
            bench.record(Figure(section: section, name: "gsp-server resident, second half of the run", unit: "MiB", value: late,
                                reference: "first half", referenceValue: early,
                                aim: clients >= 200 ? "flat: at most 10% above the first half" : nil,
                                met: clients >= 200 ? late <= early * 1.1 : nil))
            bench.record(Figure(section: section, name: "client memory: load generator's growth for all \(clients) clients",
                                unit: "MiB", value: loadGenerator))
        }
    }

    /// One client: create its deals, then push a few edits and pull, until told to stop.
    static func syncLoop(client: Int, user: String, token: String, port: UInt16, stop: () -> Bool) throws -> ClientResult {
        let connection = try HTTPConnection(port: port)
        var result = ClientResult()
        var rng = PeerWorkload.Mix(state: UInt64(client) &+ 77)
        let node = NodeID(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        let deals = (0..<dealsPerClient).map { _ in RowID(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
        var clock = HybridClock()
        var seq: UInt64 = 0, cursor: UInt64 = 0, epoch: UUID?
        func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
        func change(_ deal: RowID, _ field: String, _ value: Value) -> PushedChange {
            seq += 1
            return PushedChange(seq: seq, change: Change(table: "deals", row: deal, field: field, value: value,
                                                         hlc: clock.tick(wallMilliseconds: now()), node: node))
        }
        var pending = deals.flatMap { deal in
            [change(deal, "owner", .text(user)), change(deal, "title", .text("\(user) deal")), change(deal, "stage", .text("bau"))]
        }
        let steps = ["call back", "send proposal", "schedule demo", "review KPIs", "sign PIS"]
        while !stop() {
            let request = SyncRequest(node: node, knownEpoch: epoch, cursor: cursor, pageSize: 1_000, changes: pending)
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let (status, body) = try connection.request("POST", "/v1/sync", token: token, body: Frame.encodeBytes(.request(request)))
                result.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                guard status == 200, case .response(let response) = try Frame.decode(body), response.refusals.isEmpty,
                      response.acknowledged == seq else {
                    result.errors += 1
                    if result.firstError == nil { result.firstError = "status \(status) for \(user)" }
                    continue
                }
                result.changes += pending.count
                for p in pending { result.written[p.change.key] = p.change.value }  // acknowledged: the server must keep it
                for c in response.changes { clock.observe(c.hlc) }
                cursor = response.cursor
                epoch = response.epoch
            } catch {
                result.errors += 1
                if result.firstError == nil { result.firstError = "\(error)" }
                return result
            }
            pending = (0..<5).map { _ in
                let deal = deals[Int(rng.next() % UInt64(deals.count))]
                return rng.next() % 2 == 0
                    ? change(deal, "next_step", .text(steps[Int(rng.next() % 5)] + " \(rng.next() % 100)"))
                    : change(deal, "value", .money(Money(minorUnits: Int64(rng.next() % 1_000_000) * 100, currency: "EUR")))
            }
        }
        return result
    }

    struct LoadResult {
        var clients: [ClientResult]
        var seconds: Double
    }

    /// Runs `clients` threads of `body` for `duration` seconds; the first thrown error fails the run.
    static func load(clients: Int, duration: Double,
                     _ body: @escaping @Sendable (Int, () -> Bool) throws -> ClientResult) throws -> LoadResult {
        let results = Box<[Int: Result<ClientResult, any Error>]>([:])
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(duration * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        for i in 0..<clients {
            group.enter()
            let thread = Thread {
                let outcome = Result { try body(i) { DispatchTime.now().uptimeNanoseconds >= deadline } }
                results.value.withLock { $0[i] = outcome }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let all = results.value.withLock { $0 }
        return LoadResult(clients: try (0..<clients).map { try all[$0]!.get() }, seconds: seconds)
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// A value behind a lock, shareable between threads.
final class Box<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ initial: T) { value = Mutex(initial) }
}

/// Samples a process's resident memory four times a second until stopped.
final class MemorySampler: Sendable {
    private let samples = Box<[Double]>([])
    private let running = Box(true)

    init(pid: Int32) {
        let samples = samples, running = running
        Thread {
            while running.value.withLock({ $0 }) {
                samples.value.withLock { $0.append(Machine.memoryMiB(pid: pid, field: "VmRSS:")) }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }.start()
    }

    /// Stops sampling and returns the samples in order (MiB).
    func stop() -> [Double] {
        running.value.withLock { $0 = false }
        return samples.value.withLock { $0 }
    }
}
