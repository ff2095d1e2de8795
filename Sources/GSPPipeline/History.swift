import Foundation
import GSPCore

/// One step of a field's merged history: the value it took, when, and on which replica.
public struct HistoryEntry<T: Hashable & Sendable>: Hashable, Sendable {
    public var value: T
    /// Unix milliseconds of the change that set the value (its HLC's physical time).
    public var at: Int64
    public var node: NodeID

    public init(value: T, at: Int64, node: NodeID) {
        self.value = value
        self.at = at
        self.node = node
    }
}

public typealias StageEntry = HistoryEntry<Stage>

/// Collects every write of one tracked field of one row, then replays them in merge order.
struct FieldWrites {
    private var writes: [(hlc: HLC, node: NodeID, value: Value)] = []

    mutating func add(_ change: Change) {
        writes.append((change.hlc, change.node, change.value))
    }

    /// The merged value over time. Sorted by (hlc, node) each write beats every earlier one,
    /// so the sorted writes are exactly the successive winners; a repeated value is no new step.
    func history<T: Hashable & Sendable>(_ read: (Value) -> T) -> [HistoryEntry<T>] {
        let ordered = writes.sorted { a, b in
            let sa = Stamp(hlc: a.hlc, node: a.node), sb = Stamp(hlc: b.hlc, node: b.node)
            return sa != sb ? sa < sb : Value.tieOrder(a.value, b.value)
        }
        var result: [HistoryEntry<T>] = []
        for w in ordered {
            let value = read(w.value)
            if result.last?.value == value { continue }
            result.append(HistoryEntry(value: value, at: Int64(w.hlc.milliseconds), node: w.node))
        }
        return result
    }
}

/// Milliseconds in a day, for turning HLC times into days.
let millisecondsPerDay: Int64 = 86_400_000

extension Int64 {
    /// The UTC day of a Unix-milliseconds moment.
    var day: Day { Day(daysSinceEpoch: Int32((self >= 0 ? self : self - millisecondsPerDay + 1) / millisecondsPerDay)) }
}

extension Day {
    /// "YYYY-MM", the key of monthly report rows.
    var monthKey: String { String(description.prefix(7)) }
    /// The last millisecond of the day: "as of 2026-03-31" includes all of that day.
    var endMilliseconds: Int64 { startMilliseconds + millisecondsPerDay - 1 }
}

extension Deal {
    /// The value reports count: the main contract's value when a complete model is there,
    /// else the deal's expected `value`; nil when neither is set, or when the contract's value
    /// overflows (see `contractOverflowCurrency`: reports show that as "over", not the estimate).
    public var reportValue: Money? {
        if let contract { return contract.value }
        return self["value"].moneyValue
    }

    /// A name to show: the title, else the account, else the row id.
    public var displayName: String {
        if !title.isEmpty { return title }
        if !account.isEmpty { return account }
        return id.lowercased
    }

    /// A text field used for grouping, "(none)" when empty.
    func label(_ field: String) -> String {
        let text = self[field].textValue ?? ""
        return text.isEmpty ? "(none)" : text
    }
}

extension RowID {
    /// The first 8 hex digits of the id, as `gsp` prints and accepts them: the ID column of
    /// per-deal report rows.
    var short: String { String(lowercased.prefix(8)) }
}

/// A row id's bytes as two numbers: orders ids like their lower-case text does, without
/// formatting them (formatting a UUID is slow on Linux, and a sort would do it n log n times).
struct IDOrder: Comparable {
    var high: UInt64, low: UInt64
    static func < (a: IDOrder, b: IDOrder) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

extension UUID {
    var order: IDOrder {
        withUnsafeBytes(of: uuid) { raw in
            IDOrder(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
