import Foundation
import GSPCore
import GSPServer
import GSPStore

/// The initial pull: a new replica fetches 1,000,000 current field values (83,334 deals x 12
/// fields) from a real gsp-server in the largest pages it serves, next to raw SQLite inserting
/// the same rows. The client side decodes into MergedState: GSPClient's local store is not
/// in main yet, so its SQLite writes are not in this figure.
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
        let rate = Double(count) / seconds
        bench.record(Figure(section: "pull", name: "initial pull over HTTP (server + wire + decode, no local store)",
                            unit: "changes/s", value: rate, reference: "raw SQLite insert of the same rows, 5,000 per transaction",
                            referenceValue: raw, aim: ">= 50% of raw inserts", met: rate >= raw * 0.5))
        let perChange = Double(pulled!.bytes) / Double(count)
        bench.record(Figure(section: "pull", name: "bytes per change received (response bodies, deflate 1)", unit: "B/change",
                            value: perChange, aim: "<= 12 B/change", met: perChange <= 12))
        bench.record(Figure(section: "pull", name: "gsp-server peak memory (VmHWM) after \(heavy) pulls", unit: "MiB",
                            value: server.peakMiB))
    }
}
