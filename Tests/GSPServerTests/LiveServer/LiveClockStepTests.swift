import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport

/// A device clock off by a day when the rep last synced, then set right (or the device
/// restarted) before the rep edits offline: through the real `gsp-server`, the later edit of
/// two wins, whoever made it.
@Suite("Live server: a device clock set between syncs")
struct LiveClockStepTests {
    let day: Int64 = 86_400_000

    /// A team whose rep ana works on `device`, with a deal of hers both replicas hold, and how
    /// long ana's sync (where her replica learnt the server's time) took.
    func team(_ device: TestDevice) async throws -> (LiveTeam, meg: Replica, ana: Replica, deal: RowID, learning: Duration) {
        let team = try LiveTeam(users: [("meg", "manager"), ("ana", "rep")])
        let meg = try team.replica("meg"), ana = try team.replica("ana", clock: device.wallClock)
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("Port")), FieldWrite(.deals, deal, "owner", .text("ana"))])
        try await team.sync(meg)
        let start = ContinuousClock.now
        try await team.sync(ana)
        return (team, meg, ana, deal, ContinuousClock.now - start)
    }

    func winner(_ replica: Replica, _ deal: RowID) throws -> Value? { try replica.fields(of: "deals", row: deal)["next_step"] }

    /// Longer than any error the learnt offset can have (half a round trip of the learning sync),
    /// and than the 1 s under which a step of the clock is not followed.
    func pause(_ learning: Duration) async throws { try await Task.sleep(for: max(learning, .milliseconds(1_200)) + .milliseconds(300)) }

    @Test func aClockSlowAtTheSyncThenFixedDoesNotLetAnEarlierEditWin() async throws {
        let device = TestDevice(wallError: -day)
        let (team, meg, ana, deal, learning) = try await team(device)
        #expect(try ana.syncState().clockOffset > day - 60_000)
        device.setWallClock(error: 0)
        try ana.write([FieldWrite(.deals, deal, "next_step", .text("ana, earlier"))])
        try await pause(learning)
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg, later"))])
        let summary = try await team.sync(ana)
        #expect(summary.restamped == 0, "ana's edit went up with the time it was made")
        try await team.sync(meg)
        try await team.sync(ana)
        for replica in [meg, ana] { #expect(try winner(replica, deal) == .text("meg, later"), "\(replica.user)") }
        #expect(try LiveTeam.fields(of: ana) == (try await team.serverView(of: "ana")))
    }

    @Test func aClockFastAtTheSyncThenFixedDoesNotPinALaterEditToTheLastSync() async throws {
        let device = TestDevice(wallError: day)
        let (team, meg, ana, deal, learning) = try await team(device)
        #expect(try ana.syncState().clockOffset < -day + 60_000)
        device.setWallClock(error: 0)
        try await pause(learning)
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg, earlier"))])
        try await team.sync(meg)
        try await pause(learning)
        try ana.write([FieldWrite(.deals, deal, "next_step", .text("ana, later"))])
        try await team.sync(ana)
        try await team.sync(meg)
        for replica in [meg, ana] { #expect(try winner(replica, deal) == .text("ana, later"), "\(replica.user)") }
    }

    /// Slow at the sync, fixed while the device was off: nothing can be compared across the
    /// restart, so the correction is kept, the server refuses the edit as a day ahead, and the
    /// re-stamp gives it the time it was made, not the time of the sync.
    @Test func aClockSlowAtTheSyncAndFixedOverARestartDoesNotLetAnEarlierEditWin() async throws {
        let device = TestDevice(wallError: -day)
        let (team, meg, ana, deal, learning) = try await team(device)
        device.reboot()
        device.setWallClock(error: 0)
        try ana.write([FieldWrite(.deals, deal, "next_step", .text("ana, earlier"))])
        try await pause(learning)
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg, later"))])
        #expect(try await team.sync(ana).restamped == 1)
        try await team.sync(meg)
        try await team.sync(ana)
        for replica in [meg, ana] { #expect(try winner(replica, deal) == .text("meg, later"), "\(replica.user)") }
        #expect(abs(try ana.syncState().clockOffset) < 1_000, "the correction is learnt anew")
    }

    /// Fast at the sync and still fast after a restart: the correction is dropped, the server
    /// refuses the edit, and the re-stamp puts it back before the manager's later one.
    @Test func aClockStillFastAfterARestartIsCaughtByTheServer() async throws {
        let device = TestDevice(wallError: day)
        let (team, meg, ana, deal, learning) = try await team(device)
        device.reboot()
        try ana.write([FieldWrite(.deals, deal, "next_step", .text("ana, earlier"))])
        try await pause(learning)
        try meg.write([FieldWrite(.deals, deal, "next_step", .text("meg, later"))])
        try await team.sync(meg)
        #expect(try await team.sync(ana).restamped == 1)
        try await team.sync(meg)
        for replica in [meg, ana] { #expect(try winner(replica, deal) == .text("meg, later"), "\(replica.user)") }
    }
}
