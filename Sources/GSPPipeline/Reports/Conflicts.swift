import GSPCore

/// A concurrent edit: two writers changed the same field without seeing each other's
/// value. The merge kept one; the record keeps both, so a manager can see what was overwritten.
public struct ConflictRecord: Hashable, Sendable {
    /// One side of the conflict.
    public struct Side: Hashable, Sendable {
        public var value: Value
        public var hlc: HLC
        public var node: NodeID
        /// The user running `node` when known.
        public var user: String?

        public init(value: Value, hlc: HLC, node: NodeID, user: String? = nil) {
            self.value = value
            self.hlc = hlc
            self.node = node
            self.user = user
        }
    }

    public var table: String
    public var row: RowID
    public var field: String
    public var winning: Side
    public var losing: Side
    /// Unix milliseconds when the conflict was found.
    public var detectedAt: Int64

    public init(table: String, row: RowID, field: String, winning: Side, losing: Side, detectedAt: Int64) {
        self.table = table
        self.row = row
        self.field = field
        self.winning = winning
        self.losing = losing
        self.detectedAt = detectedAt
    }

    /// The conflict `incoming` makes when it meets `current`, the field's winner so far,
    /// or nil when its writer had seen that winner (or it is the same change again).
    /// Without an arrival clock, the conflict is dated at the later of the two changes.
    public init?(incoming: Change, current: Change, users: [NodeID: String] = [:]) {
        guard Merge.isConcurrent(incoming, with: current) else { return nil }
        let (win, lose) = Merge.wins(incoming, over: current) ? (incoming, current) : (current, incoming)
        func side(_ c: Change) -> Side { Side(value: c.value, hlc: c.hlc, node: c.node, user: users[c.node]) }
        self.init(table: incoming.table, row: incoming.row, field: incoming.field,
                  winning: side(win), losing: side(lose),
                  detectedAt: Int64(max(incoming.hlc, current.hlc).milliseconds))
    }

    /// Every conflict met while merging `history` in the order given (a replica's arrival order).
    /// A change met again (a retried delivery) is a duplicate, not a conflict.
    public static func find(inHistory history: some Sequence<Change>, users: [NodeID: String] = [:]) -> [ConflictRecord] {
        var state = MergedState()
        var superseded = Set<SeenWrite>()
        var found: [ConflictRecord] = []
        for change in history {
            if let current = state.winners[change.key], !superseded.contains(SeenWrite(key: change.key, stamp: change.stamp)) {
                if let conflict = ConflictRecord(incoming: change, current: current, users: users) { found.append(conflict) }
                if current.stamp != change.stamp {
                    let loser = Merge.wins(change, over: current) ? current : change
                    superseded.insert(SeenWrite(key: loser.key, stamp: loser.stamp))
                }
            }
            state.apply(change)
        }
        return found
    }
}

/// The conflicts report: what concurrent edits overwrote, oldest first.
public struct ConflictsReport: Sendable {
    public var records: [ConflictRecord]

    public init(data: PipelineData) {
        records = data.conflicts.enumerated()
            .sorted { ($0.element.detectedAt, $0.offset) < ($1.element.detectedAt, $1.offset) }
            .map(\.element)
    }

    public func table(data: PipelineData) -> ReportTable {
        func who(_ side: ConflictRecord.Side) -> String { side.user ?? data.user(side.node) }
        let kpis = Dictionary(data.kpis.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let entries = Dictionary(data.timeEntries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // The deal a row belongs to, for its short id.
        func dealID(_ r: ConflictRecord) -> RowID? {
            switch r.table {
            case "deals": return r.row
            case "kpis": return kpis[r.row]?.deal
            case "time_entries": return entries[r.row]?.deal
            default: return nil
            }
        }
        // Name a row by its deal, so a manager can find it: "Acme phones", "Acme phones: KPI latency".
        func name(_ r: ConflictRecord) -> String {
            func deal(_ id: RowID?) -> String { id.flatMap { data.deal($0)?.displayName } ?? r.row.lowercased }
            switch r.table {
            case "deals": return deal(r.row)
            case "kpis": return kpis[r.row].map { deal($0.deal) + ": KPI " + $0.metric } ?? r.row.lowercased
            case "time_entries": return entries[r.row].map { deal($0.deal) + ": time card of " + $0.engineer } ?? r.row.lowercased
            default: return r.row.lowercased
            }
        }
        let rows: [[Cell]] = records.map { r in
            let name = name(r)
            return [.moment(r.detectedAt), .text((dealID(r) ?? r.row).short), .text(r.table), .text(name), .text(r.field),
                    .text(r.winning.value.description), .text(who(r.winning)),
                    .text(r.losing.value.description), .text(who(r.losing))]
        }
        let section = ReportSection(title: "Concurrent edits", columns: [
            Column("detected", "Detected (UTC)"), Column("id", "Deal ID"), Column("table", "Table"), Column("row", "Row"),
            Column("field", "Field"), Column("kept", "Kept value"), Column("kept_by", "Kept from"),
            Column("overwritten", "Overwritten value"), Column("overwritten_by", "Overwritten from"),
        ], rows: rows)
        return ReportTable(title: "Conflicts", asOf: data.asOf, notes: [
            "Two writers changed the same field without seeing each other's value; the later (HLC, node) was kept.",
            "Deal ID: the first 8 hex digits of the deal's id (gsp deal show ID); a row of another kind shows its own.",
        ], sections: [section])
    }
}

/// One write to one field, to tell a change met again from a new one.
private struct SeenWrite: Hashable {
    var key: FieldKey
    var stamp: Stamp
}
