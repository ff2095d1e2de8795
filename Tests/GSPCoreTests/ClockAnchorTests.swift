import Testing
import GSPCore

/// The offset a replica applies follows any step of the device clock since it was learnt.
@Suite struct ClockAnchorTests {
    let boot = Uptime(boot: "b1", milliseconds: 50_000)
    let day: Int64 = 86_400_000

    func later(_ ms: UInt64, boot id: String = "b1") -> Uptime { Uptime(boot: id, milliseconds: boot.milliseconds + ms) }

    @Test func aClockLeftAloneKeepsItsOffset() {
        let anchor = ClockAnchor(offset: day, wall: 1_000_000, uptime: boot)
        #expect(anchor.offset(atWall: 1_000_000 + 7_200_000, uptime: later(7_200_000), tolerance: 1_000) == day)
    }

    @Test func aClockSetSinceIsFollowedByTheStep() {
        // A day slow at the sync, fixed an hour later: nothing is added any more.
        let slow = ClockAnchor(offset: day, wall: 1_000_000, uptime: boot)
        #expect(slow.offset(atWall: 1_000_000 + 3_600_000 + UInt64(day), uptime: later(3_600_000), tolerance: 1_000) == 0)
        // A day fast at the sync, fixed: nothing is taken off any more.
        let fast = ClockAnchor(offset: -day, wall: UInt64(day) * 2, uptime: boot)
        #expect(fast.offset(atWall: UInt64(day) * 2 + 3_600_000 - UInt64(day), uptime: later(3_600_000), tolerance: 1_000) == 0)
        // Right at the sync, then set two hours ahead: the two hours are taken off.
        let right = ClockAnchor(offset: 0, wall: 1_000_000, uptime: boot)
        #expect(right.offset(atWall: 1_000_000 + 60_000 + 7_200_000, uptime: later(60_000), tolerance: 1_000) == -7_200_000)
    }

    @Test func aStepWithinTheToleranceChangesNothing() {
        let anchor = ClockAnchor(offset: 5_000, wall: 1_000_000, uptime: boot)
        #expect(anchor.offset(atWall: 1_000_000 + 60_000 + 900, uptime: later(60_000), tolerance: 1_000) == 5_000)
        #expect(anchor.offset(atWall: 1_000_000 + 60_000 + 1_500, uptime: later(60_000), tolerance: 1_000) == 3_500)
    }

    @Test func afterARestartOnlyAForwardCorrectionIsKept() {
        // Nothing can be compared: a fast clock's correction is dropped (if it is still fast the
        // server refuses the stamps and the replica re-stamps them); a slow clock's is kept.
        let otherBoot = Uptime(boot: "b2", milliseconds: 10)
        #expect(ClockAnchor(offset: -day, wall: 1_000_000, uptime: boot).offset(atWall: 2_000_000, uptime: otherBoot, tolerance: 1_000) == 0)
        #expect(ClockAnchor(offset: day, wall: 1_000_000, uptime: boot).offset(atWall: 2_000_000, uptime: otherBoot, tolerance: 1_000) == day)
        // A boot clock that went back is another boot too, and so is an anchor without a reading.
        #expect(ClockAnchor(offset: -day, wall: 1_000_000, uptime: boot).offset(atWall: 2_000_000, uptime: Uptime(boot: "b1", milliseconds: 1), tolerance: 1_000) == 0)
        #expect(ClockAnchor(offset: -day, wall: 0, uptime: nil).offset(atWall: 2_000_000, uptime: boot, tolerance: 1_000) == 0)
    }

    @Test func withoutABootClockTheOffsetIsTakenAsLearnt() {
        #expect(ClockAnchor(offset: -day, wall: 1_000_000, uptime: boot).offset(atWall: 9_000_000, uptime: nil, tolerance: 1_000) == -day)
    }

    @Test func extremeReadingsDoNotTrap() {
        let anchor = ClockAnchor(offset: .min, wall: .max, uptime: Uptime(boot: "b1", milliseconds: 0))
        _ = anchor.offset(atWall: 0, uptime: Uptime(boot: "b1", milliseconds: .max), tolerance: 1_000)
        _ = ClockAnchor(offset: .max, wall: 0, uptime: boot).offset(atWall: .max, uptime: boot, tolerance: .min)
    }
}
