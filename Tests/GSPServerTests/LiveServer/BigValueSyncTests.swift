import Foundation
import Testing
import GSPCore
import GSPClient
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
}
