import Foundation
import Testing
import GSPCore
import GSPClient
import GSPStore
import GSPWire
import GSPTestSupport

/// Issue 4: an answer lost after the server committed, then the push retried, stores nothing
/// twice; a client killed in the middle of a pull resumes at the cursor its rows came with.
@Suite("Live server: lost answers and killed clients")
struct LostAnswerTests {
    /// A deal with a KPI and an edit on top: eight changes, two of them to one field.
    func someWork(_ replica: Replica) throws {
        let deal = RowID(), kpi = RowID()
        try replica.write([FieldWrite(.deals, deal, "title", .text("Port")), FieldWrite(.deals, deal, "owner", .text(replica.user)),
                           FieldWrite(.deals, deal, "next_step", .text("visit")),
                           FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("fps"))])
        try replica.write([FieldWrite(.deals, deal, "next_step", .text("demo")), FieldWrite(.kpis, kpi, "unit", .text("fps"))])
        try replica.write([FieldWrite(.deals, deal, "region", .text("EMEA"))])
    }

    @Test func anAnswerDroppedByAProxyThenARetryStoresEachChangeOnce() async throws {
        let team = try LiveTeam()
        let alice = try team.replica("alice")
        try someWork(alice)
        let proxy = try DroppingProxy(upstream: team.server.port)
        await #expect(throws: SyncError.self) { try await team.sync(alice, through: "http://127.0.0.1:\(proxy.port)") }
        #expect(proxy.answered == 1, "the server answered the push the proxy then dropped")
        #expect(try team.serverHistoryCount() == 8, "the server committed the push")
        #expect(try alice.pendingCount() == 8, "the client never heard, so it keeps everything pending")

        // Dropped again, then delivered: still once each, and nothing seen as a conflict.
        await #expect(throws: SyncError.self) { try await team.sync(alice, through: "http://127.0.0.1:\(proxy.port)") }
        let summary = try await team.sync(alice)
        #expect(summary.pushed == 8)
        #expect(try alice.pendingCount() == 0)
        #expect(try team.serverHistoryCount() == 8)
        #expect(try team.serverDatabase().scalar("SELECT count(*) FROM conflicts")?.integer == 0)
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
    }

    @Test func aClientGoneRightAfterSendingThenRetryingStoresEachChangeOnce() async throws {
        let team = try LiveTeam()
        let alice = try team.replica("alice")
        try someWork(alice)
        // The very request the replica would send, written on a raw socket that closes at once.
        let round = SyncRound(node: alice.node, schemaVersion: Schema.version, knownEpoch: nil, cursor: 0, pageSize: 1_000,
                              changes: try alice.pendingChanges())
        let frame = try WireSyncCodec().encode(round)
        for _ in 0..<3 {
            let connection = try RawConnection(port: team.server.port)
            connection.write("POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(team.tokens["alice"]!)\r\n"
                             + "Content-Type: application/x-gsp-frame\r\nContent-Length: \(frame.count)\r\n\r\n")
            connection.write(frame)
            connection.hangUp()
        }
        try await team.sync(alice)
        try await team.sync(alice)
        #expect(try alice.pendingCount() == 0)
        #expect(try team.serverHistoryCount() == 8)
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
    }

    @Test func aGspSyncKilledDuringThePullResumesAtTheRightCursor() async throws {
        let seed = TestSeed.derive(4_201)
        print("LostAnswerTests seed \(seed) (replay with GSP_TEST_SEED=\(TestSeed.base))")
        var rng = SeededGenerator(seed: seed)
        let team = try LiveTeam()
        // 3,000 fields on the server: a fresh manager replica pulls them in several pages.
        let writer = try team.replica("meg", file: "writer.sqlite")
        for i in 0..<300 {
            let deal = RowID()
            try writer.write((0..<10).map { FieldWrite(.deals, deal, "f\($0)", .text("deal \(i) field \($0)")) })
        }
        try await team.sync(writer)
        let path = try team.replica("meg").path   // closed again: only the `gsp` processes below use it

        var kills = 0, cursors: Set<UInt64> = []
        for attempt in 0..<16 {
            let sync = try GSPBinary.start(["sync"], replica: path)
            // Later and later, with jitter: from before the first page to after the last.
            usleep(UInt32(attempt) * 40_000 + UInt32.random(in: 0..<40_000, using: &rng))
            sync.sigkill()
            let result = sync.wait()
            if result.killed { kills += 1 } else { #expect(result.status == 0, "\(result.stderr)") }
            // The replica holds exactly the server's fields up to its cursor: rows and cursor commit together.
            let replica = try Replica.open(at: path)
            let cursor = try replica.syncState().cursor
            cursors.insert(cursor)
            let upToCursor = try team.serverDatabase().query("SELECT tbl, row, field, hlc, node FROM fields WHERE seq <= ?",
                                                             [.integer(Int64(cursor))]) { r in
                "\(r.text(0))/\(r.text(1))/\(r.text(2)) \(r.integer(3)) \(r.text(4))"
            }
            let held = try LiveTeam.fields(of: replica).map { key, value in "\(key) \(value[value.range(of: " @ ")!.upperBound...])" }
            #expect(Set(held) == Set(upToCursor), "seed \(seed) attempt \(attempt): cursor \(cursor) does not match the rows held")
            if !result.killed { break }
        }
        print("LostAnswerTests: \(kills) gsp sync killed; cursors seen \(cursors.sorted())")
        #expect(try GSPBinary.run(["sync"], replica: path).status == 0)
        let replica = try Replica.open(at: path)
        #expect(try LiveTeam.fields(of: replica).count == 3_000)
    }

    /// `gsp sync` killed while it pushes 3,000 changes in batches: every change stays either
    /// pending on the replica or stored on the server (never lost in between), none twice.
    @Test func aGspSyncKilledDuringThePushLosesAndDuplicatesNothing() async throws {
        let seed = TestSeed.derive(4_202)
        print("LostAnswerTests push seed \(seed) (replay with GSP_TEST_SEED=\(TestSeed.base))")
        var rng = SeededGenerator(seed: seed)
        let team = try LiveTeam()
        let path: String
        do {
            let replica = try team.replica("meg")
            for i in 0..<300 {
                let deal = RowID()
                try replica.write((0..<10).map { FieldWrite(.deals, deal, "f\($0)", .text("deal \(i) field \($0)")) })
            }
            path = replica.path
        }
        let local = try Set(Database(path: path, create: false, readOnly: true).query("SELECT tbl, row, field, hlc, node FROM history") { r in
            "\(r.text(0))/\(r.text(1))/\(r.text(2)) \(r.integer(3)) \(r.text(4))"
        })
        var kills = 0
        for attempt in 0..<16 {
            let sync = try GSPBinary.start(["sync"], replica: path)
            usleep(UInt32(attempt) * 40_000 + UInt32.random(in: 0..<40_000, using: &rng))
            sync.sigkill()
            let result = sync.wait()
            if result.killed { kills += 1 } else { #expect(result.status == 0, "\(result.stderr)") }
            let db = try team.serverDatabase()
            let stored = try db.query("SELECT tbl, row, field, hlc, node FROM history") { r in
                "\(r.text(0))/\(r.text(1))/\(r.text(2)) \(r.integer(3)) \(r.text(4))"
            }
            let pending = try Set(Database(path: path, create: false, readOnly: true).query("SELECT tbl, row, field, hlc, node FROM pending") { r in
                "\(r.text(0))/\(r.text(1))/\(r.text(2)) \(r.integer(3)) \(r.text(4))"
            })
            #expect(stored.count == Set(stored).count, "seed \(seed) attempt \(attempt): a change stored twice")
            #expect(local.subtracting(stored).subtracting(pending).isEmpty, "seed \(seed) attempt \(attempt): a change neither pending nor on the server")
            if !result.killed { break }
        }
        print("LostAnswerTests: \(kills) gsp sync killed while pushing")
        #expect(try GSPBinary.run(["sync"], replica: path).status == 0)
        #expect(try team.serverHistoryCount() == 3_000)
        #expect(try Replica.open(at: path).pendingCount() == 0)
    }
}
