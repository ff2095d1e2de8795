import Foundation
import Synchronization
import GSPClient

/// A wall clock a test sets by hand, for replicas whose edits must land on chosen dates.
public final class ManualClock: Sendable {
    private let milliseconds: Mutex<UInt64>
    public init(_ start: UInt64 = 0) { milliseconds = Mutex(start) }

    public func set(_ value: UInt64) { milliseconds.withLock { $0 = value } }
    /// Sets the clock to `hour`:00 UTC on `date` ("YYYY-MM-DD").
    public func set(_ date: String, hour: Int = 9) {
        set(UInt64(Self.parse(date) + hour * 3_600_000))
    }

    public var wallClock: WallClock { WallClock { [self] in milliseconds.withLock { $0 } } }

    /// Unix milliseconds of `date` 00:00 UTC.
    public static func parse(_ date: String) -> Int {
        var components = DateComponents()
        let parts = date.split(separator: "-").map { Int($0)! }
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return Int(calendar.date(from: components)!.timeIntervalSince1970) * 1000
    }
}
