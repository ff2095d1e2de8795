import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// A replica's clock correction, learnt at a sync, follows the device clock when it is set
/// (or the device restarts) before the next sync: every edit takes the time it was really made.
@Suite struct ClockStepTests {
    let day: Int64 = 86_400_000
    let other = NodeID()

    /// A replica on `device` that synced (learnt the server's time) with the device clock off by `error`.
    func synced(_ device: TestDevice, error: Int64) throws -> TestReplica {
        device.setWallClock(error: error)
        let r = try TestReplica(clock: device.wallClock)
        let sent = device.wallClock.now()
        device.pass(40)
        try r.replica.transaction { try r.replica.learnClockOffset(serverTime: HLC(milliseconds: device.trueNow - 20), sentAt: sent) }
        device.pass(20)
        return r
    }

    func lastStamp(_ r: Replica) throws -> HLC { try #require(try r.pendingChanges().last?.change.hlc) }

    @Test func aClockSlowAtTheSyncThenFixedStampsTheRealTime() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: -day).replica
        #expect(try r.syncState().clockOffset == day)
        device.pass(3_600_000)
        device.setWallClock(error: 0)
        #expect(try r.syncState().clockOffset == 0)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow)
    }

    @Test func aClockFastAtTheSyncThenFixedStampsTheRealTimeNotItsLastSync() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: day).replica
        let seen = HLC(milliseconds: device.trueNow - 1_000)
        try r.applyPulled(changes: [Change(table: "deals", row: RowID(), field: "title", value: .text("x"), hlc: seen, node: other)], cursor: 1)
        device.pass(600_000)
        device.setWallClock(error: 0)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow, "pinned to the last sync")
    }

    @Test func aClockSetWrongAfterARightSyncIsCorrected() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: 0).replica
        device.pass(60_000)
        device.setWallClock(error: -day)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("slow"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow)
        device.pass(60_000)
        device.setWallClock(error: 2 * day)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("fast"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow)
    }

    @Test func theHybridClockStillNeverGoesBack() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: day).replica
        // Another device ahead of real time wrote something this replica has seen.
        let ahead = HLC(milliseconds: device.trueNow + 30_000, counter: 4)
        try r.applyPulled(changes: [Change(table: "deals", row: RowID(), field: "title", value: .text("x"), hlc: ahead, node: other)], cursor: 1)
        device.setWallClock(error: 0)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        #expect(try lastStamp(r) > ahead)
    }

    @Test func aRestartAfterAFastClockDropsTheCorrectionAndTheRestampFindsTheRealTime() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: day).replica
        device.pass(3_600_000)
        device.reboot()
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        let made = device.trueNow
        #expect(try lastStamp(r).milliseconds == made + UInt64(day), "still fast: stamped ahead, for the server to refuse")
        device.pass(60_000)
        #expect(try r.restamp(after: HLC(milliseconds: device.trueNow)) == 1)
        #expect(try lastStamp(r).milliseconds == made)
    }

    @Test func aRestartAfterASlowClockKeepsTheCorrection() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: -day).replica
        device.pass(3_600_000)
        device.reboot()
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow)
    }

    /// Slow at the sync, fixed while the device was off: the kept correction stamps the edit a
    /// day ahead; the server refuses it, and the re-stamp takes back what the correction added,
    /// giving the time the edit was made, not the time of the sync.
    @Test func aRestartThatFixedASlowClockIsUndoneByTheRestamp() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try synced(device, error: -day).replica
        device.pass(3_600_000)
        device.reboot()
        device.setWallClock(error: 0)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("t"))])
        let made = device.trueNow
        device.pass(5_000)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("u"))])
        device.pass(60_000)
        #expect(try r.restamp(after: HLC(milliseconds: device.trueNow)) == 2)
        let stamps = try r.pendingChanges().map(\.change.hlc.milliseconds)
        #expect(stamps == [made, made + 5_000])
        #expect(try r.syncState().clockOffset == 0)
        device.pass(1_000)
        try r.write([FieldWrite(.deals, RowID(), "title", .text("v"))])
        #expect(try lastStamp(r).milliseconds == device.trueNow)
    }

    @Test func anOffsetFromBeforeAnchorsCountsAsLearntOnAnotherBoot() throws {
        let device = TestDevice(start: TestReplica.start)
        let r = try TestReplica(clock: device.wallClock).replica
        try r.transaction { try r.setMeta(.clockOffset, .integer(-day)) }
        #expect(try r.syncState().clockOffset == 0)
        try r.transaction { try r.setMeta(.clockOffset, .integer(day)) }
        #expect(try r.syncState().clockOffset == day)
    }
}
