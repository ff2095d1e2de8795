import GSPCore

/// The merged pipeline at one moment, built from a change history in one pass.
///
/// The state "as of" a moment is the merge of every change whose HLC physical time is at or
/// before it, so an as-of report over the whole history equals the live report over the
/// changes made up to that moment. Imported rows carry their source's dates as HLC times.
public struct PipelineData: Sendable {
    /// The inclusive cutoff in Unix milliseconds; nil for the live state.
    public let asOf: Int64?
    /// "Now" for ages and stalled deals: the cutoff, else the caller's clock, else the latest change.
    public let moment: Int64
    /// Live (not deleted) deals, by display name then id.
    public let deals: [Deal]
    /// Live KPIs of live deals.
    public let kpis: [KPI]
    /// Live time-card entries of live deals.
    public let timeEntries: [TimeEntry]
    /// The merged stage of each live deal over time, oldest first; never empty.
    public let stageHistory: [RowID: [StageEntry]]
    public let ownerHistory: [RowID: [HistoryEntry<String>]]
    public let outcomeHistory: [RowID: [HistoryEntry<Outcome>]]
    /// The latest change to a live deal or any of its child rows, in Unix milliseconds.
    public let lastChange: [RowID: Int64]
    /// Concurrent edits met while merging the history in the order given (or the caller's records).
    public let conflicts: [ConflictRecord]
    /// Who runs each replica, for "by whom" columns; nodes not listed show their id.
    public let users: [NodeID: String]

    private let dealIndex: [RowID: Int]
    private let kpisByDeal: [RowID: [KPI]]

    /// Builds the state as of `asOfMilliseconds` (inclusive Unix milliseconds; nil for live).
    /// - Parameters:
    ///   - history: every change a store accepted, winners and losers, in arrival order
    ///     (the order only matters for finding conflicts).
    ///   - now: the caller's clock for live ages; defaults to the latest change's time.
    ///   - conflicts: records kept by the server; nil finds them from the history instead.
    public init(history: some Sequence<Change>, asOfMilliseconds asOf: Int64? = nil, now: Int64? = nil,
                users: [NodeID: String] = [:], conflicts: [ConflictRecord]? = nil) {
        var builder = Builder(cutoff: asOf, users: users)
        for change in history { builder.apply(change) }
        self.asOf = asOf
        self.users = users
        moment = asOf ?? now ?? builder.latest

        let live = builder.deals.filter { !($0.value.fields["deleted"]?.value.boolValue ?? false) }
        deals = live.map { Deal(id: $0.key, fields: $0.value.values) }
            .map { (deal: $0, name: $0.displayName, order: $0.id.order) }
            .sorted { ($0.name, $0.order) < ($1.name, $1.order) }
            .map(\.deal)
        dealIndex = Dictionary(uniqueKeysWithValues: deals.enumerated().map { ($1.id, $0) })
        let index = dealIndex
        kpis = builder.kpis.map { KPI(id: $0.key, fields: $0.value.values) }
            .filter { !$0.isDeleted && $0.deal.map { index[$0] != nil } == true }
            .sorted { $0.id.order < $1.id.order }
        timeEntries = builder.timeEntries.map { TimeEntry(id: $0.key, fields: $0.value.values) }
            .filter { !$0.isDeleted && $0.deal.map { index[$0] != nil } == true }
            .sorted { ($0.date?.daysSinceEpoch ?? .min, $0.id.order) < ($1.date?.daysSinceEpoch ?? .min, $1.id.order) }
        kpisByDeal = Dictionary(grouping: kpis) { $0.deal! }

        var stages: [RowID: [StageEntry]] = [:], owners: [RowID: [HistoryEntry<String>]] = [:]
        var outcomes: [RowID: [HistoryEntry<Outcome>]] = [:], last: [RowID: Int64] = [:]
        for (id, row) in live {
            var s = row.stageWrites.history { $0.textValue.flatMap(Stage.init(rawValue:)) ?? .businessAsUsual }
            // A deal never given a stage reads as bau (as Deal.stage does) since it was created.
            if s.isEmpty { s = [StageEntry(value: .businessAsUsual, at: row.first, node: row.firstNode)] }
            stages[id] = s
            owners[id] = row.ownerWrites.history { $0.textValue ?? "" }
            outcomes[id] = row.outcomeWrites.history { $0.textValue.flatMap(Outcome.init(rawValue:)) ?? .open }
            last[id] = row.last
        }
        // Work on a child row (a visit note, a time card, a KPI) counts as activity on its deal.
        for children in [builder.kpis, builder.timeEntries, builder.activities] {
            for row in children.values {
                guard let ref = row.values["deal"]?.textValue.flatMap(RowID.init(uuidString:)),
                      let current = last[ref] else { continue }
                last[ref] = max(current, row.last)
            }
        }
        stageHistory = stages
        ownerHistory = owners
        outcomeHistory = outcomes
        lastChange = last
        self.conflicts = (conflicts ?? builder.conflicts).filter { asOf == nil || $0.detectedAt <= asOf! }
    }

    /// Builds the state as of the end of `day` (UTC), or live when nil.
    public init(history: some Sequence<Change>, asOf day: Day?, now: Int64? = nil,
                users: [NodeID: String] = [:], conflicts: [ConflictRecord]? = nil) {
        self.init(history: history, asOfMilliseconds: day?.endMilliseconds, now: now, users: users, conflicts: conflicts)
    }

    public func deal(_ id: RowID) -> Deal? { dealIndex[id].map { deals[$0] } }
    public func kpis(of deal: RowID) -> [KPI] { kpisByDeal[deal] ?? [] }
    /// The user running `node`, else its id.
    public func user(_ node: NodeID) -> String { users[node] ?? node.description }
}

/// The single pass over the history: winners per row, tracked field writes, conflicts.
private struct Builder {
    struct Winner {
        var value: Value
        var hlc: HLC
        var node: NodeID
    }

    struct Row {
        var fields: [String: Winner] = [:]
        var stageWrites = FieldWrites(), ownerWrites = FieldWrites(), outcomeWrites = FieldWrites()
        var first: Int64 = .max
        var firstNode = NodeID(bytes: [])
        var last: Int64 = .min
        /// Writes that lost or were overwritten; usually empty, so cheap for imported rows.
        var superseded: Set<Write> = []
        var values: [String: Value] { fields.mapValues(\.value) }
    }

    let cutoff: Int64?
    let users: [NodeID: String]
    var deals: [RowID: Row] = [:], kpis: [RowID: Row] = [:]
    var timeEntries: [RowID: Row] = [:], activities: [RowID: Row] = [:]
    var conflicts: [ConflictRecord] = []
    var latest: Int64 = 0

    init(cutoff: Int64?, users: [NodeID: String]) {
        self.cutoff = cutoff
        self.users = users
    }

    mutating func apply(_ change: Change) {
        let at = Int64(change.hlc.milliseconds)
        if let cutoff, at > cutoff { return }
        latest = max(latest, at)
        switch change.table {
        case "deals": Self.merge(change, at: at, into: &deals, conflicts: &conflicts, users: users, tracked: true)
        case "kpis": Self.merge(change, at: at, into: &kpis, conflicts: &conflicts, users: users, tracked: false)
        case "time_entries": Self.merge(change, at: at, into: &timeEntries, conflicts: &conflicts, users: users, tracked: false)
        case "activities": Self.merge(change, at: at, into: &activities, conflicts: &conflicts, users: users, tracked: false)
        default: break  // accounts and tables of newer clients take no part in these reports
        }
    }

    private static func merge(_ change: Change, at: Int64, into rows: inout [RowID: Row],
                              conflicts: inout [ConflictRecord], users: [NodeID: String], tracked: Bool) {
        rows[change.row, default: Row()].update(change, at: at, conflicts: &conflicts, users: users, tracked: tracked)
    }
}

extension Builder.Row {
    /// One write to a field, to tell a change met again (a retried delivery) from a new one.
    struct Write: Hashable {
        var field: String
        var stamp: Stamp
    }

    mutating func update(_ change: Change, at: Int64, conflicts: inout [ConflictRecord],
                         users: [NodeID: String], tracked: Bool) {
        if at < first || (at == first && change.node < firstNode) { first = at; firstNode = change.node }
        last = max(last, at)
        if let w = fields[change.field] {
            let current = Change(table: change.table, row: change.row, field: change.field,
                                 value: w.value, hlc: w.hlc, node: w.node)
            if change.stamp == current.stamp || superseded.contains(Write(field: change.field, stamp: change.stamp)) {
                // The same write again; only a stamp tie between different values can change the winner.
                if Merge.wins(change, over: current) { fields[change.field] = Builder.Winner(value: change.value, hlc: change.hlc, node: change.node) }
                return
            }
            if let conflict = ConflictRecord(incoming: change, current: current, users: users) {
                conflicts.append(conflict)
            }
            if Merge.wins(change, over: current) {
                superseded.insert(Write(field: change.field, stamp: current.stamp))
                fields[change.field] = Builder.Winner(value: change.value, hlc: change.hlc, node: change.node)
            } else {
                superseded.insert(Write(field: change.field, stamp: change.stamp))
            }
        } else {
            fields[change.field] = Builder.Winner(value: change.value, hlc: change.hlc, node: change.node)
        }
        if tracked {
            switch change.field {
            case "stage": stageWrites.add(change)
            case "owner": ownerWrites.add(change)
            case "outcome": outcomeWrites.add(change)
            default: break
            }
        }
    }
}
