/// The merge rule, the same on every replica and the server.
public enum Merge {
    /// True when `candidate` beats `current` for the same field: greatest (hlc, node) wins.
    /// An exact stamp tie between different values (only a misbehaving writer makes one)
    /// is broken by the values' total order, so merging stays commutative.
    public static func wins(_ candidate: Change, over current: Change) -> Bool {
        if candidate.stamp != current.stamp { return candidate.stamp > current.stamp }
        return Value.tieOrder(current.value, candidate.value)
    }

    /// Same rule on the parts a store keeps for the current winner.
    public static func wins(hlc: HLC, node: NodeID, value: Value,
                            over current: (hlc: HLC, node: NodeID, value: Value)) -> Bool {
        let a = Stamp(hlc: hlc, node: node), b = Stamp(hlc: current.hlc, node: current.node)
        if a != b { return a > b }
        return Value.tieOrder(current.value, value)
    }

    /// A concurrent edit: the writer did not see the winner it is compared with, that is,
    /// it wrote over an older value (`prev` before the winner's HLC). A `prev` newer than the
    /// winner means the writer saw later edits this store never received (a replica pulls
    /// only the latest value of a field): it built on them, so it is no conflict here.
    public static func isConcurrent(_ incoming: Change, with current: Change) -> Bool {
        incoming.prev < current.hlc && incoming.stamp != current.stamp
    }
}

/// What applying one change did to the merged state.
public enum MergeResult: Equatable, Sendable {
    /// The field had no value before.
    case inserted
    /// The change won over `previous`; `concurrent` when its writer had not seen `previous`.
    case replaced(previous: Change, concurrent: Bool)
    /// The change lost to the current winner; `concurrent` when its writer had not seen it.
    case lost(winner: Change, concurrent: Bool)
    /// The same change was already there.
    case duplicate
}

/// An in-memory merged state: the winning change of every field. The reference
/// implementation of the merge, used by property tests and small tools.
public struct MergedState: Sendable, Equatable {
    public private(set) var winners: [FieldKey: Change] = [:]
    public init() {}

    @discardableResult
    public mutating func apply(_ change: Change) -> MergeResult {
        guard let current = winners[change.key] else {
            winners[change.key] = change
            return .inserted
        }
        if current == change { return .duplicate }
        if Merge.wins(change, over: current) {
            winners[change.key] = change
            return .replaced(previous: current, concurrent: Merge.isConcurrent(change, with: current))
        }
        return .lost(winner: current, concurrent: Merge.isConcurrent(change, with: current))
    }

    public mutating func apply<S: Sequence>(_ changes: S) where S.Element == Change {
        for change in changes { apply(change) }
    }

    public func value(_ key: FieldKey) -> Value? { winners[key]?.value }
}
