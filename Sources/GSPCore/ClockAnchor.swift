/// A reading of a device's boot clock: milliseconds since boot, counting through sleep
/// (Linux `CLOCK_BOOTTIME`), and which boot they count from. Unlike the wall clock, nobody
/// sets it: it only moves forward, at the pace of real time, until the device restarts.
public struct Uptime: Sendable, Hashable {
    /// Names one boot of the device (Linux `/proc/sys/kernel/random/boot_id`).
    public var boot: String
    public var milliseconds: UInt64
    public init(boot: String, milliseconds: UInt64) {
        self.boot = boot
        self.milliseconds = milliseconds
    }
}

/// What a replica learnt about its device clock at a sync: the offset to the server's clock,
/// and where the device's wall clock and boot clock stood at that moment.
///
/// The offset is right only while the wall clock keeps the pace it had then. Comparing how far
/// the wall clock and the boot clock advanced since tells whether the wall clock was set (a
/// step: by the user, by NTP, by a time zone mistake) in between, and by how much.
public struct ClockAnchor: Sendable, Hashable {
    /// Milliseconds added to the device's wall clock to get the server's time, when learnt.
    public var offset: Int64
    /// The device's wall clock (Unix milliseconds) when the offset was learnt.
    public var wall: UInt64
    /// The device's boot clock then; nil when it could not be read (or for an offset learnt
    /// by a replica from before anchors were kept).
    public var uptime: Uptime?

    public init(offset: Int64, wall: UInt64, uptime: Uptime?) {
        self.offset = offset
        self.wall = wall
        self.uptime = uptime
    }

    /// The offset to add to the wall clock reading `wall`, taken with the boot clock `uptime`.
    ///
    /// - No boot clock on this device (`uptime` nil): the offset as learnt.
    /// - Same boot: the wall clock's advance minus the boot clock's is how far the wall clock
    ///   was stepped since; beyond `tolerance` ms the offset is corrected by that step, so a
    ///   clock fixed (or broken) after the sync is followed at once.
    /// - Another boot, or no boot reading at the anchor: nothing can be compared. A negative
    ///   offset (the clock was fast) is dropped and a positive one kept: if that guess is wrong
    ///   the edits come out in the future, which the server refuses and the replica re-stamps
    ///   by the skew it then measures, whereas edits stamped in the past would silently lose.
    public func offset(atWall wall: UInt64, uptime now: Uptime?, tolerance: Int64) -> Int64 {
        guard let now else { return offset }
        guard let then = uptime, then.boot == now.boot, now.milliseconds >= then.milliseconds else {
            return max(0, offset)
        }
        let wallAdvance = Int64(clamping: wall) &- Int64(clamping: self.wall)
        let step = wallAdvance &- Int64(clamping: now.milliseconds - then.milliseconds)
        guard step.magnitude > tolerance.magnitude else { return offset }
        let (corrected, overflow) = offset.subtractingReportingOverflow(step)
        return overflow ? offset : corrected
    }
}
