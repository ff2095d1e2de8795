import Foundation
import Testing
import GSPCore
import GSPClient
import GSPStore
import GSPTestSupport

/// Legal text values near the 1,114,112-byte string limit, through the real `gsp-server` on
/// both backends: they once made pull pages larger than a frame may be, so every replica
/// behind them failed every sync, its own pending changes never acknowledged.
@Suite("Live server, every backend: values near the string limit", .serialized)
struct BigValueSyncTests {
    @Test(arguments: StoreBackend.available) func replicasSyncPastValuesNearTheStringLimit(_ backend: StoreBackend) async throws {
        let directory = TemporaryDirectory("gsp-big")
        let database = backend == .postgres ? try PostgresTestDatabase() : nil
        let server = ServerBinary(db: database?.url ?? directory.path("server.db"))
        let tokens = ["meg": try server.addUser("meg", role: "manager"), "ann": try server.addUser("ann", role: "manager")]
        try server.start()
        defer { server.kill() }
        func replica(_ user: String) throws -> Replica {
            let replica = try Replica.create(at: directory.path("\(user).sqlite"), user: user)
            try replica.login(server: server.url, token: tokens[user]!)
            return replica
        }
        func sync(_ replica: Replica) async throws -> SyncSummary {
            try await replica.sync(transport: try HTTPTransport(server: server.url, token: tokens[replica.user]!), codec: WireSyncCodec(), retry: .never)
        }

        // 24 deals whose next step is just under the limit: about 27 MB that deflate shrinks to some 22 MB.
        let importer = try replica("meg")
        var rng = SeededGenerator(seed: TestSeed.derive(79))
        var steps: [RowID: String] = [:]
        for i in 0..<24 {
            let deal = RowID(), step = BigText.make(bytes: ValueLimits.stringBytes - 100, using: &rng)
            steps[deal] = step
            try importer.write([FieldWrite(.deals, deal, "title", .text("deal \(i)")), FieldWrite(.deals, deal, "owner", .text("meg")),
                                FieldWrite(.deals, deal, "next_step", .text(step))])
        }
        let pushed = try await sync(importer)
        #expect(pushed.pushed == 72 && pushed.refused == 0)
        #expect(pushed.batchSplits == 0, "rounds are sized before sending, not split after a 413")
        #expect(try importer.pendingCount() == 0)

        // Another replica, with a change of its own waiting, catches up in several pages.
        let other = try replica("ann")
        let own = RowID()
        try other.write([FieldWrite(.deals, own, "title", .text("ann's deal")), FieldWrite(.deals, own, "owner", .text("ann"))])
        let pulled = try await sync(other)
        #expect(pulled.pushed == 2 && pulled.pulled >= 72)
        #expect(pulled.rounds >= 2, "the values do not fit one frame")
        #expect(try other.pendingCount() == 0, "its own change was acknowledged")
        for (deal, step) in steps { #expect(try other.fields(of: "deals", row: deal)["next_step"] == .text(step)) }

        // And the importer's next change goes up as well.
        try importer.write([FieldWrite(.deals, RowID(), "title", .text("later")), FieldWrite(.deals, RowID(), "owner", .text("meg"))])
        _ = try await sync(importer)
        #expect(try importer.pendingCount() == 0)
    }

    /// A replica written by an older gsp may hold a pending value over the string limit. The
    /// sync refuses that one change on the device (listed with code tooLarge, taken back) and
    /// sends the rest: the replica is never blocked by it, and others see the deal without it.
    @Test func aPendingValueOverTheLimitIsRefusedLocallyAndTheRestGoesUp() async throws {
        let team = try LiveTeam(users: [("meg", "manager")])
        let old = try team.replica("meg")
        let deal = RowID()
        try old.write([FieldWrite(.deals, deal, "title", .text("big deal")), FieldWrite(.deals, deal, "owner", .text("meg")),
                       FieldWrite(.deals, deal, "next_step", .text("placeholder"))])
        // What an older gsp stored: the placeholder made 1.2 MB, everywhere the replica keeps it.
        let database = try Database(path: old.path, create: false)
        for table in ["pending", "fields", "history"] {
            try database.run("UPDATE \(table) SET vt = ? WHERE field = 'next_step'", [.text(String(repeating: "x", count: 1_200_000))])
        }
        let later = RowID()
        try old.write([FieldWrite(.deals, later, "title", .text("made afterwards")), FieldWrite(.deals, later, "owner", .text("meg"))])

        let summary = try await team.sync(old)
        #expect(summary.pushed == 4 && summary.refused == 1)
        #expect(try old.pendingCount() == 0)
        let refused = try old.refusedChanges()
        #expect(refused.count == 1 && refused.first?.code == "tooLarge" && refused.first?.change.field == "next_step")
        #expect(refused.first?.reason.contains("1,114,112") == true)
        #expect(try old.fields(of: "deals", row: deal)["next_step"] == nil, "the value no sync can carry is taken back")

        let other = try team.replica("meg", file: "other.sqlite")
        try await team.sync(other)
        #expect(try other.fields(of: "deals", row: later)["title"] == .text("made afterwards"))
        #expect(try other.fields(of: "deals", row: deal)["title"] == .text("big deal"))
        #expect(try other.fields(of: "deals", row: deal)["next_step"] == nil)
        // Nothing is left to block the next sync.
        #expect(try await team.sync(old).refused == 0)
    }
}
