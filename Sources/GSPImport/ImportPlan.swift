import GSPCore

/// One field value to write, with the source date it took effect and its order on that day
/// (creation before stage moves), so imported history follows the source's timeline.
public struct TimedWrite: Equatable, Sendable {
    public var field: String
    public var value: Value
    public var day: Day
    public var order: Int
    public init(_ field: String, _ value: Value, day: Day, order: Int = 0) {
        self.field = field
        self.value = value
        self.day = day
        self.order = order
    }

    /// A write at an exact moment (Unix milliseconds): its day, and the milliseconds into it as its order.
    public init(_ field: String, _ value: Value, milliseconds: UInt64) {
        let day = Day(daysSinceEpoch: Int32(clamping: milliseconds / 86_400_000))
        self.init(field, value, day: day, order: Int(milliseconds - UInt64(day.startMilliseconds)))
    }

    /// The HLC physical time the write is stamped with: the start of its day plus its order in ms.
    public var milliseconds: UInt64 { UInt64(max(0, day.startMilliseconds)) + UInt64(order) }
}

/// One source row mapped onto one replicated row.
public struct ImportRecord: Equatable, Sendable {
    public var table: Schema.Table
    public var row: RowID
    /// Where it came from, for messages: "sales_pipeline.csv:17".
    public var origin: String
    public var writes: [TimedWrite]
    public init(table: Schema.Table, row: RowID, origin: String, writes: [TimedWrite]) {
        self.table = table
        self.row = row
        self.origin = origin
        self.writes = writes
    }

    /// The final value of each field after all its writes (the latest one wins).
    public var finalValues: [String: Value] {
        var result: [String: (Value, UInt64)] = [:]
        for w in writes where result[w.field].map({ $0.1 <= w.milliseconds }) ?? true {
            result[w.field] = (w.value, w.milliseconds)
        }
        return result.mapValues(\.0)
    }
}

/// What a source file maps to: the rows to write and the rows refused, each with its line.
public struct ImportPlan: Sendable {
    public var records: [ImportRecord] = []
    public var problems: [ImportError] = []
    /// What the user should know though nothing is wrong with a row (a companion file
    /// missing, dates or owners filled in), for the summary.
    public var notes: [String] = []
    public init() {}
}

/// The source ids seen so far in one file, so a second row with the same id is refused
/// instead of silently overwriting the first.
struct SourceIDs {
    private var firstLine: [String: Int] = [:]

    mutating func claim(_ id: String, line: Int, file: String) throws(ImportError) {
        if let first = firstLine[id] {
            throw ImportError(file: file, line: line, reason: "duplicate id \(id), first seen on line \(first): give each row its own id, or remove one of the two rows")
        }
        firstLine[id] = line
    }
}
