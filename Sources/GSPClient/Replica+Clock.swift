import GSPCore
import GSPStore

extension Replica {
    /// Learns how far this device's clock is off the server's from a reply's server time (call
    /// inside the reply's transaction), ahead or behind: a fast clock would stamp edits after
    /// later ones made elsewhere, a slow one before earlier ones. The server read its clock
    /// between `sentAt` and now (both by this device's clock), so the offset lies between two
    /// bounds: when they hold zero the clock counts as right (a slow answer is no skew),
    /// otherwise the middle is taken. Offsets under `clockSkewTolerance` count as none. The
    /// device's wall and boot clocks are kept beside it, so that a clock set after this sync
    /// is followed before the next one (see `ClockAnchor`).
    func learnClockOffset(serverTime: HLC, sentAt: UInt64? = nil) throws {
        guard serverTime.milliseconds > 0 else { return }
        let now = wallClock.now(), uptime = wallClock.uptime()
        let server = Int64(clamping: serverTime.milliseconds), received = Int64(clamping: now)
        let sent = sentAt.map { min(Int64(clamping: $0), received) } ?? received
        let low = server - received, high = server - sent
        let offset = low <= 0 && high >= 0 ? 0 : low + (high - low) / 2
        try setClockAnchor(ClockAnchor(offset: abs(offset) > Self.clockSkewTolerance ? offset : 0, wall: now, uptime: uptime))
    }

    /// How far off the server's a device clock may be before edits are stamped with a correction,
    /// and how far it may be set between syncs before the correction follows (ms).
    static let clockSkewTolerance: Int64 = 1_000

    /// The wall clock corrected by the skew learnt from the server, followed through any step
    /// of the device clock since: as near to the server's time as this replica can tell.
    func correctedWall() throws -> UInt64 { try correctedWall(wallClock.now(), uptime: wallClock.uptime()) }

    /// `correctedWall()` for the readings `wall` and `uptime`.
    func correctedWall(_ wall: UInt64, uptime: Uptime?) throws -> UInt64 {
        let offset = try clockAnchor().offset(atWall: wall, uptime: uptime, tolerance: Self.clockSkewTolerance)
        let (sum, overflow) = Int64(clamping: wall).addingReportingOverflow(offset)
        return UInt64(clamping: max(0, overflow ? Int64(clamping: wall) : sum))
    }

    /// The offset `correctedWall` adds now.
    func clockOffsetNow() throws -> Int64 {
        try clockAnchor().offset(atWall: wallClock.now(), uptime: wallClock.uptime(), tolerance: Self.clockSkewTolerance)
    }

    /// The stored offset and where the device's clocks stood when it was learnt. An offset from
    /// before anchors were kept has none: it counts as learnt on another boot.
    func clockAnchor() throws -> ClockAnchor {
        let offset = try meta(.clockOffset)?.integer ?? 0
        guard let wall = try meta(.clockAnchorWall)?.integer else { return ClockAnchor(offset: offset, wall: 0, uptime: nil) }
        var uptime: Uptime?
        if let boot = try meta(.clockAnchorBoot)?.text, let milliseconds = try meta(.clockAnchorUptime)?.integer {
            uptime = Uptime(boot: boot, milliseconds: UInt64(clamping: milliseconds))
        }
        return ClockAnchor(offset: offset, wall: UInt64(clamping: wall), uptime: uptime)
    }

    func setClockAnchor(_ anchor: ClockAnchor) throws {
        try setMeta(.clockOffset, .integer(anchor.offset))
        try setMeta(.clockAnchorWall, .integer(Int64(clamping: anchor.wall)))
        try setMeta(.clockAnchorBoot, anchor.uptime.map { .text($0.boot) } ?? .null)
        try setMeta(.clockAnchorUptime, anchor.uptime.map { .integer(Int64(clamping: $0.milliseconds)) } ?? .null)
    }
}
