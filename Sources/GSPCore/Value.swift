/// A typed field value. Reals compare by bit pattern, so -0.0, NaN payloads and
/// subnormals round-trip and merge exactly.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case money(Money)
    case real(Double)
    case text(String)
    case date(Day)
    case bool(Bool)

    /// The one-byte type tag used on the wire and in stores.
    public var kind: ValueKind {
        switch self {
        case .null: .null
        case .integer: .integer
        case .money: .money
        case .real: .real
        case .text: .text
        case .date: .date
        case .bool: .bool
        }
    }

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.integer(a), .integer(b)): a == b
        case let (.money(a), .money(b)): a == b
        case let (.real(a), .real(b)): a.bitPattern == b.bitPattern
        // Text is compared as stored bytes: no Unicode normalization may merge two writers' values.
        case let (.text(a), .text(b)): a.utf8.elementsEqual(b.utf8)
        case let (.date(a), .date(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        switch self {
        case .null: break
        case .integer(let v): hasher.combine(v)
        case .money(let v): hasher.combine(v)
        case .real(let v): hasher.combine(v.bitPattern)
        case .text(let v): for b in v.utf8 { hasher.combine(b) }
        case .date(let v): hasher.combine(v)
        case .bool(let v): hasher.combine(v)
        }
    }

    /// A total order used only to break exact (hlc, node) ties between different values,
    /// so that merging stays commutative even with a misbehaving writer.
    public static func tieOrder(_ lhs: Value, _ rhs: Value) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): return a < b
        case let (.money(a), .money(b)):
            return a.currency == b.currency ? a.minorUnits < b.minorUnits : a.currency.utf8.lexicographicallyPrecedes(b.currency.utf8)
        case let (.real(a), .real(b)): return a.bitPattern < b.bitPattern
        case let (.text(a), .text(b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
        case let (.date(a), .date(b)): return a < b
        case let (.bool(a), .bool(b)): return !a && b
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .integer(let v): String(v)
        case .money(let v): v.description
        case .real(let v): String(v)
        case .text(let v): v
        case .date(let v): v.description
        case .bool(let v): v ? "true" : "false"
        }
    }

    public var textValue: String? { if case .text(let v) = self { v } else { nil } }
    public var integerValue: Int64? { if case .integer(let v) = self { v } else { nil } }
    public var moneyValue: Money? { if case .money(let v) = self { v } else { nil } }
    public var realValue: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var dateValue: Day? { if case .date(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// Value type tags; the raw values are the wire protocol's and must not change.
public enum ValueKind: UInt8, CaseIterable, Sendable, Codable {
    case null = 0, integer = 1, money = 2, real = 3, text = 4, date = 5, bool = 6

    public var name: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .money: "money"
        case .real: "real"
        case .text: "text"
        case .date: "date"
        case .bool: "bool"
        }
    }
}
