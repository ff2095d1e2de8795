import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport
import Synchronization

/// Issue 4: a device clock two hours fast, and a server restored from an older backup,
/// against the real `gsp-server`.
@Suite("Live server: skewed clocks and restored backups")
struct ClockAndRestoreTests {
    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    @Test func aDeviceTwoHoursFastDoesNotBeatTheManagersLaterEdit() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg")
        // Alice's device clock is right at first, then runs two hours fast.
        let skew = DeviceSkew()
        let alice = try team.replica("alice", clock: WallClock { Self.now() + skew.milliseconds.withLock { $0 } })
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("Port")), FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)

        // Alice edits offline on her fast clock; afterwards the manager edits the same field.
        skew.milliseconds.withLock { $0 = 2 * 3_600_000 }
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("alice's step, earlier"))])
        usleep(50_000)
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg's step, later"))])
        try await team.sync(meg)
        // Alice's sync is refused for skew, re-stamps and pushes again by itself.
        let summary = try await team.sync(alice)
        #expect(summary.restamped == 1)
        #expect(try alice.pendingCount() == 0 && alice.refusedChanges().isEmpty)
        try await team.sync(meg)
        for replica in [meg, alice] {
            #expect(try replica.fields(of: "deals", row: deal)["next_step"] == .text("meg's step, later"), "\(replica.user)")
        }
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
        // Alice's edit is kept in the history and shows as overwritten, not lost.
        let history = try team.serverDatabase().query("SELECT value FROM history WHERE field = 'next_step'") { $0.text(0) }
        #expect(Set(history) == ["alice's step, earlier", "meg's step, later"])

        // From now on alice's edits carry the server's time: a later edit of hers wins.
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("alice's step, latest"))])
        let stamp = try #require(try alice.pendingChanges().first?.change.hlc)
        #expect(stamp.milliseconds < Self.now() + 60_000, "new edits are stamped with the corrected clock")
        #expect(try await team.sync(alice).restamped == 0)
        try await team.sync(meg)
        #expect(try meg.fields(of: "deals", row: deal)["next_step"] == .text("alice's step, latest"))
    }

    /// A clock two hours slow would stamp a rep's edit before the manager's earlier one; once
    /// a sync has told the replica the server's time, its edits carry the corrected time.
    @Test func aDeviceTwoHoursSlowStillBeatsAnEarlierEditAfterASync() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg")
        let alice = try team.replica("alice", clock: WallClock { Self.now() - 2 * 3_600_000 })
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("Port")), FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        let learning = ContinuousClock.now
        try await team.sync(alice)
        let roundTrips = ContinuousClock.now - learning
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg's step, earlier"))])
        try await team.sync(meg)
        // Well after: the learnt correction is off by at most half a round trip of that sync.
        try await Task.sleep(for: roundTrips + .milliseconds(500))
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("alice's step, later"))])
        try await team.sync(alice)
        try await team.sync(meg)
        #expect(try meg.fields(of: "deals", row: deal)["next_step"] == .text("alice's step, later"))
        #expect(try alice.syncState().clockOffset > 3_600_000)
    }

    @Test func aRestoredServerGetsBackEveryLaterChangeFromTheReplicas() async throws {
        let seed = TestSeed.derive(4_301)
        print("ClockAndRestoreTests seed \(seed) (replay with GSP_TEST_SEED=\(TestSeed.base))")
        var rng = SeededGenerator(seed: seed)
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice"), bob = try team.replica("bob")
        let aliceDeal = RowID(), bobDeal = RowID()
        try meg.write([FieldWrite(.deals, aliceDeal, "title", .text("A")), FieldWrite(.deals, aliceDeal, "owner", .text("alice")),
                       FieldWrite(.deals, bobDeal, "title", .text("B")), FieldWrite(.deals, bobDeal, "owner", .text("bob"))])
        for replica in [meg, alice, bob] { try await team.sync(replica) }
        let backup = team.directory.path("backup.db")
        try team.server.admin(["backup", backup])   // while serving

        // After the backup: edits, a new deal and KPI, all synced to the server.
        let newDeal = RowID(), kpi = RowID()
        try alice.write([FieldWrite(.deals, aliceDeal, "next_step", .text("demo")),
                         FieldWrite(.kpis, kpi, "deal", .text(aliceDeal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("fps"))])
        try bob.write([FieldWrite(.deals, bobDeal, "stage", .text("poc"))])
        try meg.write([FieldWrite(.deals, newDeal, "title", .text("N")), FieldWrite(.deals, newDeal, "owner", .text("bob")),
                       FieldWrite(.deals, aliceDeal, "region", .text("EMEA"))])
        for replica in [alice, bob, meg, alice, bob] { try await team.sync(replica) }
        let before = try team.serverStamps()
        let conflicts = try team.serverDatabase().scalar("SELECT count(*) FROM conflicts")?.integer
        let epoch = try alice.syncState().epoch

        #expect(team.server.stop() == 0)
        try team.server.admin(["restore", backup])
        try team.server.start()
        #expect(try team.serverStamps() != before, "the restore took the server back")

        var requeued = 0
        for _ in 0..<2 {
            for replica in [meg, alice, bob].shuffled(using: &rng) { requeued += try await team.sync(replica).requeuedForNewEpoch }
        }
        #expect(requeued > 0)
        #expect(try alice.syncState().epoch != epoch, "the replica learnt the new epoch")
        #expect(try team.serverStamps() == before, "seed \(seed): a change made after the backup did not come back")
        #expect(try team.serverDatabase().scalar("SELECT count(*) FROM conflicts")?.integer == conflicts, "re-pushed values are no conflicts")
        for replica in [meg, alice, bob] {
            #expect(try LiveTeam.fields(of: replica) == (try await team.serverView(of: replica.user)), "seed \(seed): \(replica.user)")
        }
    }

    /// After the backup a deal moved from alice to bob and bob worked on it. Restored, the
    /// server gives the deal to alice again, so bob's first re-push is refused for scope; once
    /// the manager's replica hands the deal back to bob, bob's refused work must go up again.
    @Test func workOnADealReassignedAfterTheBackupComesBackWhateverTheSyncOrder() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice"), bob = try team.replica("bob")
        let deal = RowID(), kpi = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("D")), FieldWrite(.deals, deal, "owner", .text("alice"))])
        for replica in [meg, alice, bob] { try await team.sync(replica) }
        let backup = team.directory.path("backup.db")
        try team.server.admin(["backup", backup])

        try meg.write([FieldWrite(.deals, deal, "owner", .text("bob"))])
        try await team.sync(meg)
        try await team.sync(bob)
        try bob.write([FieldWrite(.deals, deal, "stage", .text("poc")),
                       FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("fps"))])
        for replica in [bob, alice] { try await team.sync(replica) }
        let before = try team.serverStamps()

        #expect(team.server.stop() == 0)
        try team.server.admin(["restore", backup])
        try team.server.start()
        // Bob first (refused: the restored deal is alice's), then alice, then the manager.
        for _ in 0..<2 {
            for replica in [bob, alice, meg] { try await team.sync(replica) }
        }
        let after = try team.serverStamps()
        #expect(after == before, "bob's work after the backup did not come back: \(Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.map { "\($0) \(before[$0] ?? "-") now \(after[$0] ?? "-")" })")
        for replica in [meg, alice, bob] {
            #expect(try LiveTeam.fields(of: replica) == (try await team.serverView(of: replica.user)), "\(replica.user)")
        }
        #expect(try bob.refusedChanges().isEmpty, "refusals that a later owner change made moot are cleared")
    }

    /// After the backup a deal went from bob to alice. Restored, the server says it is bob's, and
    /// only the manager's replica holds the reassignment: until the manager syncs, alice's
    /// replica must not keep a deal the server does not give her; afterwards her work comes back.
    @Test func aDealTheRestoredServerDoesNotGiveTheRepLeavesHerReplicaUntilItIsHersAgain() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice"), bob = try team.replica("bob")
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("D")), FieldWrite(.deals, deal, "owner", .text("bob"))])
        for replica in [meg, alice, bob] { try await team.sync(replica) }
        try team.server.admin(["backup", team.directory.path("backup.db")])
        try meg.write([FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("alice's work"))])
        try await team.sync(alice)
        let before = try team.serverStamps()

        #expect(team.server.stop() == 0)
        try team.server.admin(["restore", team.directory.path("backup.db")])
        try team.server.start()
        for replica in [alice, bob] { try await team.sync(replica) }
        #expect(try alice.fields(of: "deals", row: deal).isEmpty, "alice keeps a deal the restored server gives bob")
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
        let listed = try alice.refusedChanges()
        #expect(listed.map(\.change.field) == ["next_step"], "her work stays visible as refused meanwhile, and only hers (not the manager's values her replica sent again): \(listed.map { "\($0.change.field) by \($0.change.node)" })")

        for replica in [meg, alice, bob, meg] { try await team.sync(replica) }
        #expect(try team.serverStamps() == before, "alice's work did not come back")
        for replica in [meg, alice, bob] {
            let held = try LiveTeam.fields(of: replica), view = try await team.serverView(of: replica.user)
            #expect(held == view, "\(replica.user): \(Set(held.keys).union(view.keys).filter { held[$0] != view[$0] }.map { "\($0) \(held[$0] ?? "-") vs \(view[$0] ?? "-")" })")
        }
        #expect(try alice.fields(of: "deals", row: deal)["next_step"] == .text("alice's work"))
    }
}

/// How far a test device's clock runs ahead, changed while it runs.
final class DeviceSkew: Sendable {
    let milliseconds = Mutex<UInt64>(0)
}
