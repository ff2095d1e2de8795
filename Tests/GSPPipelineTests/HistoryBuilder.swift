import Foundation
import GSPCore

/// Builds change histories by hand for report tests: rows written by named replicas at
/// given moments. A write's prev is the winner the builder has merged so far (a writer that
/// saw everything) unless a test passes the prev of a writer that was offline.
struct HistoryBuilder {
    static let alice = NodeID(bytes: [0xA1] + [UInt8](repeating: 0, count: 15))
    static let bob = NodeID(bytes: [0xB0] + [UInt8](repeating: 0, count: 15))
    static let carol = NodeID(bytes: [0xC0] + [UInt8](repeating: 0, count: 15))
    static let users = [alice: "alice", bob: "bob", carol: "carol"]

    private(set) var changes: [Change] = []
    private var state = MergedState()
    private var counters: [Int64: UInt16] = [:]
    private var nextRow: UInt8 = 1

    /// Unix milliseconds of "YYYY-MM-DD" at `hour`:00 UTC.
    static func ms(_ date: String, hour: Int = 0) -> Int64 {
        try! Day.parse(date).startMilliseconds + Int64(hour) * 3_600_000
    }

    static func day(_ date: String) -> Day { try! Day.parse(date) }

    /// Writes fields of one row in the given order, each with its own HLC at `at`.
    @discardableResult
    mutating func write(_ table: String, _ row: RowID, _ fields: KeyValuePairs<String, Value>,
                        at: Int64, by node: NodeID, prev: HLC? = nil) -> [Change] {
        var written: [Change] = []
        for (field, value) in fields {
            let counter = counters[at, default: 0]
            counters[at] = counter + 1
            let key = FieldKey(table: table, row: row, field: field)
            let change = Change(table: table, row: row, field: field, value: value,
                                hlc: HLC(milliseconds: UInt64(at), counter: counter), node: node,
                                prev: prev ?? state.winners[key]?.hlc ?? .zero)
            state.apply(change)
            changes.append(change)
            written.append(change)
        }
        return written
    }

    mutating func newRow() -> RowID {
        defer { nextRow += 1 }
        return RowID(bytes: [0x10, nextRow] + [UInt8](repeating: 0, count: 14))
    }

    /// A new deal, open, in `stage`.
    mutating func deal(_ title: String, at: Int64, by node: NodeID, stage: Stage = .businessAsUsual,
                       _ fields: KeyValuePairs<String, Value> = [:]) -> RowID {
        let id = newRow()
        write("deals", id, ["title": .text(title), "stage": .text(stage.rawValue), "outcome": .text("open")], at: at, by: node)
        write("deals", id, fields, at: at, by: node)
        return id
    }

    /// A new child row (KPI, time entry, activity) of `deal`.
    @discardableResult
    mutating func child(_ table: String, of deal: RowID, at: Int64, by node: NodeID,
                        _ fields: KeyValuePairs<String, Value>) -> RowID {
        let id = newRow()
        write(table, id, ["deal": .text(deal.lowercased)], at: at, by: node)
        write(table, id, fields, at: at, by: node)
        return id
    }

    mutating func stage(_ deal: RowID, _ stage: Stage, at: Int64, by node: NodeID) {
        write("deals", deal, ["stage": .text(stage.rawValue)], at: at, by: node)
    }
}

func usd(_ units: Int64, cents: Int64 = 0) -> Value { .money(Money(minorUnits: units * 100 + cents, currency: "USD")) }
func eur(_ units: Int64, cents: Int64 = 0) -> Value { .money(Money(minorUnits: units * 100 + cents, currency: "EUR")) }
func jpy(_ units: Int64) -> Value { .money(Money(minorUnits: units, currency: "JPY")) }
func money(_ text: String) -> Money { try! Money.parse(text) }
func date(_ text: String) -> Value { .date(try! Day.parse(text)) }

/// Per-currency totals from "100.00 USD" texts, for expectations.
func totals(_ amounts: String...) -> MoneyTotals {
    var t = MoneyTotals()
    for a in amounts { t.add(money(a)) }
    return t
}
