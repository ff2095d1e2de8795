import GSPCore

/// Weighted value by expected close month, and contract value by commercial model.
public struct ForecastReport: Sendable {
    public struct Month: Hashable, Sendable {
        /// The owner, region or manager; nil when not grouped.
        public var group: String? = nil
        /// "YYYY-MM"; nil for deals with neither an expected close nor a signed contract date.
        public var month: String?
        public var count: Int
        public var total: MoneyTotals
        public var weighted: MoneyTotals
    }

    public struct Model: Hashable, Sendable {
        public var group: String? = nil
        /// "royalty" or "otc".
        public var model: String
        public var count: Int
        public var total: MoneyTotals
    }

    public var months: [Month]
    public var models: [Model]
    public var probabilities: StageProbabilities
    public var groupBy: GroupBy?

    public init(data: PipelineData, groupBy: GroupBy? = nil, probabilities: StageProbabilities = .standard) {
        self.probabilities = probabilities
        self.groupBy = groupBy
        struct Key: Hashable { var group: String?; var month: String? }
        struct ModelKey: Hashable { var group: String?; var model: String }
        var byMonth: [Key: (count: Int, totals: WeightedTotals)] = [:]
        var byModel: [ModelKey: (count: Int, total: MoneyTotals)] = [:]
        var groups = Set<String?>()
        for deal in data.deals where deal.outcome != .lost {
            let group = groupBy.map { deal.label($0.rawValue) }
            groups.insert(group)
            let close = deal["expected_close"].dateValue ?? deal["contract_signed"].dateValue
            let key = Key(group: group, month: close?.monthKey)
            byMonth[key, default: (0, WeightedTotals())].count += 1
            byMonth[key]!.totals.add(deal)
            if let contract = deal.contract {
                // A fee x volume past 64 bits is shown as "over", not left out of its model.
                let modelKey = ModelKey(group: group, model: contract.modelName)
                byModel[modelKey, default: (0, MoneyTotals())].count += 1
                byModel[modelKey]!.total.add(valueOf: deal)
            }
        }
        if groupBy == nil { groups = [nil] }
        let sortedGroups = groups.sorted { ($0 ?? "") < ($1 ?? "") }
        // By group, months in order, deals without a date last.
        months = byMonth.keys.sorted { ($0.group ?? "", $0.month ?? "9999-99") < ($1.group ?? "", $1.month ?? "9999-99") }.map { key in
            let cell = byMonth[key]!
            return Month(group: key.group, month: key.month, count: cell.count, total: cell.totals.total,
                         weighted: cell.totals.weighted(probabilities))
        }
        models = sortedGroups.flatMap { group in
            ["royalty", "otc"].map { name in
                let cell = byModel[ModelKey(group: group, model: name)]
                return Model(group: group, model: name, count: cell?.count ?? 0, total: cell?.total ?? MoneyTotals())
            }
        }
    }

    public func table(asOf: Int64?) -> ReportTable {
        func grouped(_ cells: [Cell], _ group: String?) -> [Cell] { groupBy == nil ? cells : [.text(group ?? "")] + cells }
        func grouped(_ columns: [Column]) -> [Column] {
            groupBy.map { [Column($0.rawValue, $0.rawValue.capitalized)] + columns } ?? columns
        }
        let monthRows: [[Cell]] = months.map {
            grouped([.text($0.month ?? "(no date)"), .count($0.count), .money($0.total), .money($0.weighted)], $0.group)
        }
        let modelRows: [[Cell]] = models.map {
            grouped([.text($0.model == "otc" ? "one-time charge" : "royalty"), .count($0.count), .money($0.total)], $0.group)
        }
        return ReportTable(title: "Forecast" + (groupBy.map { " by \($0.rawValue)" } ?? ""), asOf: asOf, notes: [
            "Open and won deals by expected close month (the main contract's signed date when no expected close is set).",
            "Expected value = won value (100%) + open value x stage probability. Money is summed per currency.",
            "Contract value: royalty = fee x estimated volume; one-time charge = the fee. Deals with a complete contract model only; a value past what 64 bits hold shows as \"over\".",
        ], sections: [
            ReportSection(title: "By close month", columns: grouped([
                Column("month", "Month"), Column("count", "Open and won deals"), Column("value", "Open and won value"),
                Column("weighted", "Expected value (won + weighted open)"),
            ]), rows: monthRows),
            ReportSection(title: "By contract model", columns: grouped([
                Column("model", "Model"), Column("count", "Deals"), Column("value", "Contract value"),
            ]), rows: modelRows),
        ])
    }
}
