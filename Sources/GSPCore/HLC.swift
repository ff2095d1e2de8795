/// A hybrid logical clock timestamp: physical milliseconds in the high 48 bits,
/// a logical counter in the low 16. Ordered as one unsigned 64-bit number.
public struct HLC: RawRepresentable, Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = HLC(rawValue: 0)
    /// The largest physical time an HLC can carry (year 10889).
    public static let maxMilliseconds: UInt64 = (1 << 48) - 1

    public init(milliseconds: UInt64, counter: UInt16 = 0) {
        rawValue = (min(milliseconds, HLC.maxMilliseconds) << 16) | UInt64(counter)
    }

    /// The next stamp: one counter step later; the last stamp of the range has no later one
    /// and stays itself, rather than wrapping around to 1970.
    public var successor: HLC { HLC(rawValue: rawValue == .max ? .max : rawValue + 1) }

    public var milliseconds: UInt64 { rawValue >> 16 }
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (lhs: HLC, rhs: HLC) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "\(milliseconds).\(counter)" }
}

/// The clock a replica ticks on local writes and advances past every HLC it receives.
///
/// Working on the packed 64-bit value gives the HLC rules directly: the next stamp is
/// the greatest of the wall clock and (last + 1), so a counter at 0xFFFF carries into
/// the next millisecond, and a wall clock that jumps backwards never makes time go back.
public struct HybridClock: Sendable {
    public private(set) var last: HLC
    public init(last: HLC = .zero) { self.last = last }

    /// A new stamp for a local event.
    public mutating func tick(wallMilliseconds: UInt64) -> HLC {
        let wall = HLC(milliseconds: wallMilliseconds)
        last = max(wall, last.successor)
        return last
    }

    /// A new stamp after receiving `remote`: later than both the remote and every local stamp.
    public mutating func receive(_ remote: HLC, wallMilliseconds: UInt64) -> HLC {
        let wall = HLC(milliseconds: wallMilliseconds)
        last = max(wall, last.successor, remote.successor)
        return last
    }

    /// Advances past `remote` without making an event (applying pulled changes).
    public mutating func observe(_ remote: HLC) {
        if remote > last { last = remote }
    }
}
