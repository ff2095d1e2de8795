import Foundation

/// A calendar date (no time of day, no zone): days since 1970-01-01.
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var daysSinceEpoch: Int32
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    public init(year: Int, month: Int, day: Int) {
        // Days from civil date (proleptic Gregorian), after H. Hinnant's public-domain algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = Int32(era * 146097 + doe - 719468)
    }

    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The UTC day containing a moment.
    public init(_ date: Date) {
        daysSinceEpoch = Int32((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Midnight UTC at the start of the day, in Unix milliseconds.
    public var startMilliseconds: Int64 { Int64(daysSinceEpoch) * 86_400_000 }

    /// Parses "YYYY-MM-DD" strictly, checking the month's length.
    public static func parse(_ text: String) throws(DomainError) -> Day {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1 else {
            throw DomainError("malformed date '\(text)': write dates as YYYY-MM-DD, such as 2026-03-31")
        }
        let day = Day(year: y, month: m, day: d)
        guard day.components == (y, m, d) else {
            throw DomainError("no such date '\(text)': \(y)-\(parts[1]) has fewer than \(d) days")
        }
        return day
    }

    public var description: String {
        let c = components
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
    public func adding(days: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + Int32(days)) }
}
