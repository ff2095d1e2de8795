import Foundation
import GSPCore

/// The rules every route applies to its query string, so a misspelled parameter or an
/// unreadable value is refused (400) rather than ignored.
public enum QueryParameters {
    /// Why `query` is refused, or nil: the first parameter (by name) that is not in `known`.
    static func unknown(in query: [String: String], known: [String], path: String) -> String? {
        guard let name = query.keys.sorted().first(where: { !known.contains($0) }) else { return nil }
        let takes = known.isEmpty ? "it takes no query parameters" : "it takes \(known.joined(separator: ", "))"
        return "unknown query parameter '\(name)' for \(path): \(takes)"
    }

    /// A lower bound in time given as YYYY-MM-DD (midnight UTC) or a full ISO 8601 time, as
    /// `GET /v1/conflicts?since=` and `gsp-server conflicts --since` take it; `name` is how the
    /// caller spells the parameter, for the message.
    public static func moment(_ text: String, name: String) throws(DomainError) -> Date {
        if text.count == 10, let day = try? Day.parse(text) {
            return Date(timeIntervalSince1970: Double(day.startMilliseconds) / 1000)
        }
        if text.contains("T"), let date = try? Date(text, strategy: .iso8601) { return date }
        throw DomainError("\(name) '\(text)' is not a date: use YYYY-MM-DD (midnight UTC) or an ISO 8601 time such as 2026-01-31T12:00:00Z")
    }
}
