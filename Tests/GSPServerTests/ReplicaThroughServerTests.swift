import Foundation
import Testing
import GSPCore
import GSPClient
import GSPServer
import GSPTestSupport

/// Real replicas syncing through a real server on 127.0.0.1.
@Suite("Replicas through the server")
struct ReplicaThroughServerTests {
    func replica(_ dir: TemporaryDirectory, _ user: String, _ fixture: ServerFixture) throws -> Replica {
        let r = try Replica.create(at: dir.path("\(user).sqlite"), user: user)
        try r.login(server: fixture.server.url, token: fixture.tokens[user]!)
        return r
    }

    func sync(_ r: Replica, _ fixture: ServerFixture) async throws -> SyncSummary {
        try await r.sync(transport: try HTTPTransport(server: fixture.server.url, token: fixture.tokens[r.user]!), codec: WireSyncCodec())
    }

    @Test func aRepCreatingADealForAColleagueHandsItOverWhole() async throws {
        let fixture = try ServerFixture()
        let dir = TemporaryDirectory()
        let alice = try replica(dir, "alice", fixture), bob = try replica(dir, "bob", fixture)
        let deal = try alice.createDeal(title: "Gift", account: "Acme", owner: "bob", value: try Money.parse("900 USD"))
        let summary = try await sync(alice, fixture)
        #expect(summary.refused == 0)
        #expect(try alice.refusedChanges().isEmpty)
        _ = try await sync(bob, fixture)
        let received = try bob.loadDeal(deal)
        #expect(received.title == "Gift" && received.account == "Acme" && received.owner == "bob")
        #expect(received["value"] == .money(Money(minorUnits: 90_000, currency: "USD")))
        // It left alice's scope: her replica no longer holds it.
        _ = try await sync(alice, fixture)
        #expect(try alice.fields(of: "deals", row: deal).isEmpty)
    }

    @Test func aBatchTooLargeForTheServerIsSplitUntilItFits() async throws {
        // A server (or a proxy in front of it) that takes small requests only.
        let fixture = try ServerFixture(maxBodyBytes: 2_000)
        let dir = TemporaryDirectory()
        let alice = try replica(dir, "alice", fixture)
        for index in 0..<60 { try alice.createDeal(title: "Deal \(index) \(UUID())", account: "Account \(index) \(UUID())") }
        let pending = try alice.pendingCount()
        let summary = try await alice.sync(transport: try HTTPTransport(server: fixture.server.url, token: fixture.tokens["alice"]!),
                                           codec: WireSyncCodec(), retry: .never)
        #expect(summary.batchSplits > 0)
        #expect(summary.pushed == pending)
        #expect(try alice.pendingCount() == 0)
    }
}
