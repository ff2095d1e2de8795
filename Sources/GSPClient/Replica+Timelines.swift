import GSPCore
import GSPStore

/// One value a field took, and when: a step of the field's merged history.
public struct FieldStep: Equatable, Sendable {
    public var field: String
    public var value: Value
    /// Unix milliseconds: the physical time of the change's HLC.
    public var milliseconds: UInt64
    public init(field: String, value: Value, milliseconds: UInt64) {
        self.field = field
        self.value = value
        self.milliseconds = milliseconds
    }
}

extension Replica {
    /// Every row of `table` with the successive values of each of its fields, oldest first
    /// (what `gsp export csv` writes so an import elsewhere keeps when things happened).
    ///
    /// Changes sorted by (HLC, node) are exactly the successive winners, so losers of a merge
    /// never appear as steps; a value repeated by the next winner is no new step.
    public func fieldTimelines(of table: String) throws -> [RowID: [FieldStep]] {
        let s = try statement("SELECT row, field, kind, vi, vt, hlc, node FROM history WHERE tbl = ?")
        try s.bind([.text(table)])
        var changes: [RowID: [String: [(Stamp, Value)]]] = [:]
        while let r = try s.step() {
            changes[try r.rowID(0), default: [:]][r.text(1), default: []].append((Stamp(hlc: r.hlc(5), node: try r.node(6)), try StoredValue.read(r, at: 2)))
        }
        return changes.mapValues { fields in
            fields.sorted { $0.key < $1.key }.flatMap { field, writes in
                var steps: [FieldStep] = []
                for (stamp, value) in writes.sorted(by: { $0.0 < $1.0 }) where steps.last?.value != value {
                    steps.append(FieldStep(field: field, value: value, milliseconds: stamp.hlc.milliseconds))
                }
                return steps
            }
        }
    }
}
