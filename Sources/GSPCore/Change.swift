/// One field of one row, as written by one replica: the unit of replication.
public struct Change: Hashable, Sendable {
    public var table: String
    public var row: RowID
    public var field: String
    public var value: Value
    public var hlc: HLC
    public var node: NodeID
    /// The HLC of the value the writer saw when it wrote (`.zero` when the field was new to it).
    public var prev: HLC

    public init(table: String, row: RowID, field: String, value: Value, hlc: HLC, node: NodeID, prev: HLC = .zero) {
        self.table = table
        self.row = row
        self.field = field
        self.value = value
        self.hlc = hlc
        self.node = node
        self.prev = prev
    }

    public var key: FieldKey { FieldKey(table: table, row: row, field: field) }
    public var stamp: Stamp { Stamp(hlc: hlc, node: node) }
}

/// Names one replicated field.
public struct FieldKey: Hashable, Sendable {
    public var table: String
    public var row: RowID
    public var field: String
    public init(table: String, row: RowID, field: String) {
        self.table = table
        self.row = row
        self.field = field
    }
}

/// What orders writes to one field: the HLC, then the node id as unsigned bytes.
public struct Stamp: Hashable, Comparable, Sendable {
    public var hlc: HLC
    public var node: NodeID
    public init(hlc: HLC, node: NodeID) {
        self.hlc = hlc
        self.node = node
    }
    public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
        lhs.hlc != rhs.hlc ? lhs.hlc < rhs.hlc : lhs.node < rhs.node
    }
}
