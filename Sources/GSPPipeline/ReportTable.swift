import GSPCore

/// One cell of a report. Cells keep their type so each output renders it properly:
/// JSON gets numbers and per-currency amounts, text and CSV get readable strings.
public enum Cell: Hashable, Sendable {
    case empty
    /// Anything a user may have typed (titles, names, reasons); CSV neutralizes formulas in it.
    case text(String)
    case integer(Int64)
    /// Amounts per currency, never added across currencies.
    case money(MoneyTotals)
    /// A measured quantity shown with a fixed number of decimals (days, hours).
    case number(Double, decimals: Int)
    /// A percentage (0...100); nil when undefined (nothing to divide by).
    case percent(Double?)
    /// `part` of `whole` as a percentage with its counts, "75.0% (3/4)"; "n/a" when `whole` is 0.
    /// JSON and CSV give the percentage only (the counts have columns of their own).
    case ratio(part: Int, whole: Int)
    case date(Day)
    /// A moment in Unix milliseconds, shown in UTC to the minute.
    case moment(Int64)

    public static func money(_ money: Money?) -> Cell {
        var totals = MoneyTotals()
        if let money { totals.add(money) }
        return .money(totals)
    }

    public static func count(_ n: Int) -> Cell { .integer(Int64(n)) }

    /// Characters of a text cell a report shows, in every format; the rest is left out with
    /// its size noted, so a few huge values (a text may be 1 MiB) cannot make a report too
    /// large to fetch or read. Whole values come from `gsp export csv`.
    public static let longestText = 200

    /// `text` as a report shows it (see `longestText`).
    static func shown(_ text: String) -> String { ValueLimits.abbreviated(text, to: longestText) }

    /// The cell as plain text, as the text table and CSV show it.
    public var text: String {
        switch self {
        case .empty: ""
        case .text(let s): Cell.shown(s)
        case .integer(let n): String(n)
        case .money(let totals): totals.isEmpty ? "-" : totals.amounts.map(totals.text).joined(separator: "; ")
        case let .number(x, decimals): Cell.format(x, decimals: decimals)
        case .percent(let p): p.map { Cell.format($0, decimals: 1) + "%" } ?? "-"
        case let .ratio(part, whole): whole == 0 ? "n/a" : Cell.format(Cell.rate(part, whole), decimals: 1) + "% (\(part)/\(whole))"
        case .date(let d): d.description
        case .moment(let ms): Cell.formatMoment(ms)
        }
    }

    /// True for a cell with nothing to show (no amount, an undefined percentage).
    var isBlank: Bool {
        switch self {
        case .empty: true
        case .money(let totals): totals.isEmpty
        case .percent(let p): p == nil
        case .ratio(_, let whole): whole == 0
        default: false
        }
    }

    /// True for cells aligned right in a text table.
    var isNumeric: Bool {
        switch self {
        case .integer, .money, .number, .percent, .ratio: true
        default: false
        }
    }

    static func rate(_ part: Int, _ whole: Int) -> Double { Double(part) * 100 / Double(whole) }

    /// Fixed-decimal text without locale or binary-float noise ("12.5", "-0.3").
    static func format(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (x * scale).rounded(.toNearestOrAwayFromZero)
        guard let units = Int64(exactly: scaled) else { return String(x) }
        let negative = units < 0
        var digits = String(units.magnitude)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (negative ? "-" : "") + digits
    }

    static func formatMoment(_ ms: Int64) -> String {
        let day = ms.day
        let minutes = (ms - day.startMilliseconds) / 60_000
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(day) \(two(minutes / 60)):\(two(minutes % 60))"
    }
}

/// A column: a stable key for JSON and a title for people.
public struct Column: Hashable, Sendable {
    public var key: String
    public var title: String
    public init(_ key: String, _ title: String) {
        self.key = key
        self.title = title
    }
}

/// One table of a report.
public struct ReportSection: Hashable, Sendable {
    public var title: String
    public var columns: [Column]
    public var rows: [[Cell]]
    public init(title: String, columns: [Column], rows: [[Cell]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }

    /// The cells of the column with `key`, top to bottom.
    public func column(_ key: String) -> [Cell] {
        guard let i = columns.firstIndex(where: { $0.key == key }) else { return [] }
        return rows.map { $0[i] }
    }
}

/// A report ready to print: a title, notes saying what it counts, and one or more tables.
/// The same value renders as aligned text, JSON or CSV (see ReportTable+Rendering.swift).
public struct ReportTable: Hashable, Sendable {
    public var title: String
    /// The inclusive as-of cutoff in Unix milliseconds; nil for live data.
    public var asOf: Int64?
    public var notes: [String]
    public var sections: [ReportSection]

    public init(title: String, asOf: Int64?, notes: [String], sections: [ReportSection]) {
        self.title = title
        self.asOf = asOf
        self.notes = notes
        self.sections = sections
    }

    /// The section titled `title`.
    public func section(_ title: String) -> ReportSection? { sections.first { $0.title == title } }
}
