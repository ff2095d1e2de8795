import Foundation
import GSPCore
import GSPWire
import GSPTestSupport

/// A replica reduced to what a sync test checks: its own changes until acknowledged, a
/// cursor, everything it pulled, and every stamp it was handed twice. Owned by one task.
struct SyncTestClient {
    let node = NodeID()
    let token: String
    private var clock = HybridClock()
    private var seq: UInt64 = 0
    private(set) var pending: [PushedChange] = []
    private(set) var written: [Change] = []
    private(set) var cursor: UInt64 = 0
    private var epoch: UUID?
    private(set) var state = MergedState()
    private var delivered: Set<String> = []
    /// Stamps pulled more than once: a cursor that went back, or a change applied twice.
    private(set) var duplicates = 0
    /// HTTP statuses of failed round trips, and how many.
    private(set) var failures: [Int: Int] = [:]
    private(set) var hasMore = false
    /// When and why the server could not be reached or gave no whole answer (status 0).
    private(set) var unreachable: [String] = []

    init(token: String) { self.token = token }

    mutating func write(_ table: String, _ row: RowID, _ field: String, _ value: Value) {
        seq += 1
        let change = Change(table: table, row: row, field: field, value: value,
                            hlc: clock.tick(wallMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000)), node: node)
        pending.append(PushedChange(seq: seq, change: change))
        written.append(change)
    }

    /// One round trip to `server`: pushes up to `pushLimit` pending changes and pulls one page.
    /// Returns the HTTP status (0 when the server could not be reached).
    @discardableResult
    mutating func sync(_ server: URL, pushLimit: Int = 50, pageSize: UInt32 = 25) async -> Int {
        let body = Frame.encode(.request(SyncRequest(node: node, knownEpoch: epoch, cursor: cursor, pageSize: pageSize,
                                                     changes: Array(pending.prefix(pushLimit)))))
        let sent: RawResponse
        do {
            sent = try await TestHTTP.send("POST", server.appendingPathComponent("v1/sync").absoluteString, token: token,
                                           contentType: "application/x-gsp-frame", body: body)
        } catch {
            failures[0, default: 0] += 1
            unreachable.append("\(Date()): \(error)")
            return 0
        }
        let status = sent.status
        guard status == 200, case .response(let answer)? = try? Frame.decode(sent.body) else {
            failures[status, default: 0] += 1
            return status
        }
        pending.removeAll { $0.seq <= answer.acknowledged }
        for change in answer.changes {
            let stamp = "\(change.table)/\(change.row)/\(change.field)@\(change.hlc.rawValue)/\(change.node)"
            if !delivered.insert(stamp).inserted { duplicates += 1 }
            clock.observe(change.hlc)
        }
        state.apply(answer.changes)
        cursor = answer.cursor
        epoch = answer.epoch
        hasMore = answer.hasMore
        return status
    }

    /// Syncs until nothing is pending and the server has no more, retrying failures.
    mutating func syncUntilIdle(_ servers: [URL]) async throws {
        var attempts = 0
        repeat {
            attempts += 1
            if attempts > 2_000 { throw SyncTestFailure("client \(node) could not finish syncing: \(failures)") }
            if await sync(servers.randomElement()!) != 200 { try await Task.sleep(for: .milliseconds(50)) }
        } while !pending.isEmpty || hasMore
    }
}

extension SyncTestClient {
    /// The end of a concurrent test: pushes everything left, waits until all `count` clients
    /// have (counted in `everyone`), then pulls what the last pushers sent. Pulling before the
    /// others finish pushing would miss their last changes and look like a skipped cursor.
    mutating func catchUp(_ servers: [URL], everyone: SyncCounter, of count: Int) async throws {
        try await syncUntilIdle(servers)
        everyone.count.add(1, ordering: .relaxed)
        while everyone.count.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(5)) }
        try await syncUntilIdle(servers)
    }
}

struct SyncTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
