import Foundation
import Synchronization
import Testing
@testable import GSPClient
import GSPCore
import GSPStore
import GSPTestSupport

/// A stand-in for the server, in memory, until GSPWire and the real server land: it merges
/// pushes with `MergedState`, keeps a change log for the pull cursor, and refuses skewed stamps.
/// It is both codec and transport: a "frame" is just a ticket for the values it holds.
final class InMemorySyncServer: Transport, SyncCodec {
    struct State {
        var epoch = UUID()
        var merged = MergedState()
        var log: [Change] = []
        var users: [NodeID: String] = [:]
        var rounds: [UUID: SyncRound] = [:]
        var answers: [UUID: SyncAnswer] = [:]
    }
    let state = Mutex(State())
    let now: UInt64
    let toleranceMs: UInt64 = 60_000
    /// Refuse skewed changes one by one (a refusal each) instead of refusing the whole round.
    let skewPerChange: Bool

    init(now: UInt64, skewPerChange: Bool = false) {
        self.now = now
        self.skewPerChange = skewPerChange
    }

    func register(_ node: NodeID, as user: String) { state.withLock { $0.users[node] = user } }
    /// The store is replaced by an empty backup: a new epoch.
    func restoreEmptyBackup() { state.withLock { $0.epoch = UUID(); $0.merged = MergedState(); $0.log = [] } }
    var log: [Change] { state.withLock { $0.log } }

    func encode(_ round: SyncRound) throws -> Data {
        let ticket = UUID()
        state.withLock { $0.rounds[ticket] = round }
        return Data(ticket.bytes)
    }

    func decode(_ frame: Data) throws -> SyncAnswer {
        try state.withLock { s in
            guard let answer = s.answers.removeValue(forKey: UUID(bytes: Array(frame))) else { throw SyncError(.protocolError, "unknown frame") }
            return answer
        }
    }

    func exchange(_ frame: Data) async throws -> Data {
        state.withLock { s in
            let ticket = UUID(bytes: Array(frame))
            s.answers[ticket] = answer(s.rounds.removeValue(forKey: ticket)!, &s)
        }
        return frame
    }

    private func answer(_ round: SyncRound, _ s: inout State) -> SyncAnswer {
        var refusals: [SyncRefusal] = []
        if round.changes.contains(where: { $0.change.hlc.milliseconds > now + toleranceMs }) {
            guard skewPerChange else {
                return .failure(SyncFailure(code: SyncFailure.clockSkew, message: "stamps are ahead of the server", serverTime: HLC(milliseconds: now)))
            }
        }
        for pushed in round.changes {
            if pushed.change.hlc.milliseconds > now + toleranceMs {
                refusals.append(SyncRefusal(seq: pushed.seq, code: SyncRefusal.clockSkew, reason: "ahead of the server"))
                continue
            }
            switch s.merged.apply(pushed.change) {
            case .inserted, .replaced: s.log.append(pushed.change)
            case .lost, .duplicate: break
            }
        }
        // Only a known epoch gets data; a client with another epoch first hears the new one.
        let start = Int(round.knownEpoch == s.epoch ? min(round.cursor, UInt64(s.log.count)) : 0)
        var page: [Change] = []
        var cursor = start
        for (index, change) in s.log.enumerated().dropFirst(start) where page.count < Int(round.pageSize) {
            cursor = index + 1
            if s.merged.winners[change.key] == change { page.append(change) }
        }
        return .reply(SyncReply(epoch: s.epoch, serverTime: HLC(milliseconds: now), acknowledged: round.changes.map(\.seq).max() ?? 0,
                                refusals: refusals, changes: page, nodes: s.users, cursor: UInt64(cursor), hasMore: cursor < s.log.count))
    }
}

@Suite struct SyncDriverTests {
    let server = InMemorySyncServer(now: TestReplica.start + 1_000)

    func replica(_ user: String, clock: WallClock = .fixed(TestReplica.start)) throws -> TestReplica {
        let test = try TestReplica(user: user, clock: clock)
        server.register(test.replica.node, as: user)
        return test
    }

    func everything(_ r: Replica) throws -> [String] {
        try Schema.Table.allCases.flatMap { table in
            try r.rows(of: table.rawValue).flatMap { row in row.value.map { "\(table)/\(row.key)/\($0.key)=\($0.value)" } }
        }.sorted()
    }

    /// Found by a new user: two `gsp sync` at once on one replica each pushed the whole outbox.
    @Test func aSecondSyncOfOneReplicaIsRefusedWhileTheFirstRuns() async throws {
        let alice = try replica("alice")
        try alice.replica.dealInStage(.keyAgreement)
        var running: FileLock? = try FileLock(path: alice.replica.path + ".sync-lock")
        let error = await #expect(throws: ReplicaError.self) { try await alice.replica.sync(transport: server, codec: server) }
        #expect(error?.code == .busy && error?.message.contains("another sync") == true, "\(error?.message ?? "")")
        #expect(try alice.replica.syncState().lastError == nil, "another sync running is not this replica's failure")
        #expect(running != nil)
        running = nil   // the first sync ends
        #expect(try await alice.replica.sync(transport: server, codec: server).pushed > 0)
    }

    @Test func twoReplicasConvergeThroughTheServer() async throws {
        let alice = try replica("alice"), bob = try replica("bob")
        let deal = try alice.replica.dealInStage(.keyAgreement)
        try alice.replica.addKPI(deal.lowercased, metric: "fps", unit: "fps", target: ">=30")
        let pushed = try await alice.replica.sync(transport: server, codec: server)
        #expect(pushed.pushed == 14)
        #expect(try alice.replica.pendingCount() == 0)

        try await bob.replica.sync(transport: server, codec: server, pushLimit: 3, pageSize: 2)
        #expect(try bob.replica.deal(deal.short).stage == .keyAgreement)
        #expect(try bob.replica.kpis(of: deal).count == 1)
        #expect(try bob.replica.stageHistory(of: deal).last?.user == "alice")

        try bob.replica.setDealFields(deal.short, [(field: "next_step", text: "bob's step")])
        try alice.replica.setDealFields(deal.short, [(field: "region", text: "APAC")])
        for _ in 0..<2 {
            try await alice.replica.sync(transport: server, codec: server, pushLimit: 2, pageSize: 3)
            try await bob.replica.sync(transport: server, codec: server, pushLimit: 2, pageSize: 3)
        }
        #expect(try everything(alice.replica) == everything(bob.replica))
        #expect(try alice.replica.deal(deal.short)["next_step"] == .text("bob's step"))
        #expect(try alice.replica.syncState().lastSync != nil)
    }

    @Test func aSkewedDeviceIsRestampedAndSyncs() async throws {
        let ahead = try replica("alice", clock: .fixed(TestReplica.start + 86_400_000))
        let deal = try ahead.replica.createDeal(title: "t", account: "a")
        let summary = try await ahead.replica.sync(transport: server, codec: server)
        #expect(summary.restamped == 5)
        #expect(summary.pushed == 5)
        #expect(server.log.count == 5)
        #expect(server.log.allSatisfy { $0.hlc.milliseconds <= server.now + server.toleranceMs })
        try ahead.replica.setDealFields(deal.short, [(field: "title", text: "u")])
        let again = try await ahead.replica.sync(transport: server, codec: server)
        #expect(again.restamped == 0)
    }

    @Test func changesRefusedOneByOneForSkewAreRestampedNotLost() async throws {
        let server = InMemorySyncServer(now: TestReplica.start, skewPerChange: true)
        let ahead = try TestReplica(user: "alice", clock: .fixed(TestReplica.start + 86_400_000))
        try ahead.replica.createDeal(title: "t", account: "a")
        let summary = try await ahead.replica.sync(transport: server, codec: server)
        #expect(summary.restamped == 5)
        #expect(summary.refused == 0)
        #expect(server.log.count == 5)
        #expect(try ahead.replica.pendingCount() == 0)
        #expect(try ahead.replica.refusedChanges().isEmpty)
    }

    @Test func aRestoredServerGetsEverythingBack() async throws {
        let alice = try replica("alice"), bob = try replica("bob")
        let deal = try alice.replica.createDeal(title: "t", account: "a")
        try await alice.replica.sync(transport: server, codec: server)
        try await bob.replica.sync(transport: server, codec: server)
        server.restoreEmptyBackup()
        let summary = try await bob.replica.sync(transport: server, codec: server)
        #expect(summary.requeuedForNewEpoch == 5)
        #expect(server.log.count == 5)
        #expect(try bob.replica.syncState().epoch == server.state.withLock { $0.epoch })
        try await alice.replica.sync(transport: server, codec: server)
        #expect(try alice.replica.deal(deal.short).title == "t")
        #expect(try everything(alice.replica) == everything(bob.replica))
    }

    @Test func aRejectedTokenStopsWithTheLoginHint() async throws {
        struct Rejecting: Transport {
            func exchange(_ frame: Data) async throws -> Data { throw SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'") }
        }
        let alice = try replica("alice")
        try alice.replica.createDeal(title: "t", account: "a")
        let error = await #expect(throws: SyncError.self) { try await alice.replica.sync(transport: Rejecting(), codec: server) }
        #expect(error?.code == .tokenRejected)
        #expect(try alice.replica.pendingCount() == 5)
    }
}
