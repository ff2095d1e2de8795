import GSPCore

/// Which deals `listDeals` returns; nil filters match everything.
public struct DealFilter: Sendable {
    public var stage: Stage?
    public var owner: String?
    public var outcome: Outcome?
    public var includeDeleted = false
    public init(stage: Stage? = nil, owner: String? = nil, outcome: Outcome? = nil) {
        self.stage = stage
        self.owner = owner
        self.outcome = outcome
    }
}

/// An activity (visit, call, ...) recorded on a deal.
public struct Activity: Hashable, Sendable {
    public var id: RowID
    public var date: Day?
    public var kind: String
    public var note: String
    public init(id: RowID, fields: [String: Value]) {
        self.id = id
        date = fields["date"]?.dateValue
        kind = fields["kind"]?.textValue ?? ""
        note = fields["note"]?.textValue ?? ""
    }
}

/// Everything `deal show` prints: the deal, its child rows and what derives from them.
public struct DealDetail: Sendable {
    public var deal: Deal
    public var kpis: [KPI]
    public var timeEntries: [TimeEntry]
    public var activities: [Activity]
    public var stages: [StageEntry]
    /// Total hours x rate, when a PIS rate is set.
    public var pisFee: Money? {
        deal["pis_rate"].moneyValue.flatMap { Derived.pisFee(rate: $0, entries: timeEntries) }
    }
    public var contractValue: Money? { deal.contract?.value }
    public var evaluation: EvaluationResult { Derived.evaluation(kpis) }
    public var totalMinutes: Int64 { timeEntries.reduce(0) { $0 &+ $1.minutes } }
}

extension Replica {
    /// Finds a row by full id or unique prefix; deleted rows are not found.
    public func resolve(_ reference: String, in table: Schema.Table) throws -> RowID {
        let noun = table.noun
        let key = reference.trimmingCharacters(in: .whitespaces).lowercased()
        guard !key.isEmpty, key.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw ReplicaError(.unknownRow, "no \(noun) '\(reference)': name it by its id or an id prefix (gsp \(table.listHint) lists them)")
        }
        let s = try statement("SELECT DISTINCT row FROM fields WHERE tbl = ? AND substr(row, 1, ?) = ? ORDER BY row LIMIT 50")
        try s.bind([.text(table.rawValue), .integer(Int64(key.count)), .text(key)])
        var candidates: [RowID] = []
        while let r = try s.step() { candidates.append(try r.rowID(0)) }
        let live = try candidates.filter { try fields(of: table.rawValue, row: $0)["deleted"]?.boolValue != true }
        if live.count == 1 { return live[0] }
        if live.isEmpty {
            if !candidates.isEmpty { throw ReplicaError(.deletedRow, "\(noun) '\(reference)' was deleted") }
            throw ReplicaError(.unknownRow, "no \(noun) '\(reference)' in this replica (gsp \(table.listHint) lists them)")
        }
        let list = live.prefix(10).map { "  \($0.lowercased)" }.joined(separator: "\n")
        let count = candidates.count < 50 ? live.count : try liveRowCount(table, prefix: key)
        throw ReplicaError(.ambiguousRow, "'\(reference)' matches \(count) \(noun)s; type more of the id:\n\(list)")
    }

    /// How many live (not deleted) rows of `table` have ids starting with `prefix`.
    func liveRowCount(_ table: Schema.Table, prefix: String) throws -> Int {
        let s = try statement("""
            SELECT COUNT(DISTINCT row) FROM fields f WHERE tbl = ?1 AND substr(row, 1, ?2) = ?3 AND NOT EXISTS
              (SELECT 1 FROM fields d WHERE d.tbl = ?1 AND d.row = f.row AND d.field = 'deleted' AND d.vi = 1)
            """)
        try s.bind([.text(table.rawValue), .integer(Int64(prefix.count)), .text(prefix)])
        return Int(try s.step()?.integer(0) ?? 0)
    }

    /// The deal with this id, as its fields describe it.
    public func loadDeal(_ id: RowID) throws -> Deal {
        Deal(id: id, fields: try fields(of: Schema.Table.deals.rawValue, row: id))
    }

    /// The deal named by full id or unique prefix.
    public func deal(_ reference: String) throws -> Deal {
        try loadDeal(try resolve(reference, in: .deals))
    }

    /// The deal's live KPIs, oldest agreement first.
    public func kpis(of deal: RowID) throws -> [KPI] {
        try childRows(of: .kpis, deal: deal).map { KPI(id: $0.key, fields: $0.value) }
            .filter { !$0.isDeleted }
            .sorted { ($0.agreed ?? Day(daysSinceEpoch: .max), $0.id.uuidString) < ($1.agreed ?? Day(daysSinceEpoch: .max), $1.id.uuidString) }
    }

    /// The deal's live time-card entries, by date.
    public func timeEntries(of deal: RowID) throws -> [TimeEntry] {
        try childRows(of: .time_entries, deal: deal).map { TimeEntry(id: $0.key, fields: $0.value) }
            .filter { !$0.isDeleted }
            .sorted { ($0.date ?? Day(daysSinceEpoch: 0), $0.id.uuidString) < ($1.date ?? Day(daysSinceEpoch: 0), $1.id.uuidString) }
    }

    /// The deal's live activities, by date.
    public func activities(of deal: RowID) throws -> [Activity] {
        try childRows(of: .activities, deal: deal).filter { $0.value["deleted"]?.boolValue != true }
            .map { Activity(id: $0.key, fields: $0.value) }
            .sorted { ($0.date ?? Day(daysSinceEpoch: 0), $0.id.uuidString) < ($1.date ?? Day(daysSinceEpoch: 0), $1.id.uuidString) }
    }

    /// The deal with everything `deal show` needs.
    public func dealDetail(_ reference: String) throws -> DealDetail {
        let deal = try self.deal(reference)
        return DealDetail(deal: deal, kpis: try kpis(of: deal.id), timeEntries: try timeEntries(of: deal.id),
                          activities: try activities(of: deal.id), stages: try stageHistory(of: deal.id))
    }

    /// Deals matching the filter, by account then title.
    public func listDeals(_ filter: DealFilter = DealFilter()) throws -> [Deal] {
        try rows(of: Schema.Table.deals.rawValue).map { Deal(id: $0.key, fields: $0.value) }
            .filter { deal in
                (filter.includeDeleted || !deal.isDeleted)
                    && filter.stage.map { deal.stage == $0 } ?? true
                    && filter.owner.map { deal.owner == $0 } ?? true
                    && filter.outcome.map { deal.outcome == $0 } ?? true
            }
            .sorted { ($0.account, $0.title, $0.id.uuidString) < ($1.account, $1.title, $1.id.uuidString) }
    }
}

extension Schema.Table {
    var noun: String {
        switch self {
        case .deals: "deal"
        case .kpis: "KPI"
        case .time_entries: "time entry"
        case .activities: "activity"
        case .accounts: "account"
        }
    }
    var listHint: String { self == .kpis ? "deal show DEAL" : "deal list" }
}
