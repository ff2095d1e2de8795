import GSPCore

/// Deal values collected for weighting: open deals per stage, won deals apart (they count 100%).
/// Weighting rounds once per stage and currency (half away from zero), not once per deal.
public struct WeightedTotals: Hashable, Sendable {
    public private(set) var open: [Stage: MoneyTotals] = [:]
    public private(set) var won = MoneyTotals()
    public private(set) var total = MoneyTotals()
    public init() {}

    mutating func add(_ deal: Deal) {
        guard let value = deal.reportValue else { return }
        total.add(value)
        if deal.outcome == .won { won.add(value) } else { open[deal.stage, default: MoneyTotals()].add(value) }
    }

    public func weighted(_ probabilities: StageProbabilities) -> MoneyTotals {
        var result = won
        for (stage, totals) in open {
            for amount in totals.amounts {
                if let w = amount.times(Int64(probabilities[stage]), over: 100) { result.add(w) }
                if totals.overflowed.contains(amount.currency) { result.markOverflowed(amount.currency) }
            }
        }
        return result
    }
}

/// Count and value of the open and won deals in each stage; lost deals are left out.
public struct PipelineReport: Sendable {
    public struct Row: Hashable, Sendable {
        /// The owner, region or manager; nil when not grouped.
        public var group: String?
        public var stage: Stage
        public var count: Int
        public var total: MoneyTotals
        public var weighted: MoneyTotals
    }

    public var groupBy: GroupBy?
    public var probabilities: StageProbabilities
    /// Seven rows per group (every stage, empty ones too), groups in name order.
    public var rows: [Row]
    public var count: Int
    public var total: MoneyTotals
    public var weighted: MoneyTotals
    /// Lost deals, not in the pipeline.
    public var lostCount: Int
    /// Open and won deals without a value or contract value: counted, not valued.
    public var unvalued: Int

    public init(data: PipelineData, groupBy: GroupBy? = nil, probabilities: StageProbabilities = .standard) {
        self.groupBy = groupBy
        self.probabilities = probabilities
        struct Key: Hashable { var group: String?; var stage: Stage }
        var cells: [Key: (count: Int, totals: WeightedTotals)] = [:]
        var all = WeightedTotals()
        var groups = Set<String?>()
        var lost = 0, unvalued = 0, count = 0
        for deal in data.deals {
            if deal.outcome == .lost { lost += 1; continue }
            let group = groupBy.map { deal.label($0.rawValue) }
            groups.insert(group)
            let key = Key(group: group, stage: deal.stage)
            cells[key, default: (0, WeightedTotals())].count += 1
            cells[key]!.totals.add(deal)
            all.add(deal)
            count += 1
            if deal.reportValue == nil { unvalued += 1 }
        }
        if groupBy == nil { groups = [nil] }
        rows = groups.sorted { ($0 ?? "") < ($1 ?? "") }.flatMap { group in
            Stage.allCases.map { stage in
                let cell = cells[Key(group: group, stage: stage)]
                return Row(group: group, stage: stage, count: cell?.count ?? 0,
                           total: cell?.totals.total ?? MoneyTotals(),
                           weighted: cell?.totals.weighted(probabilities) ?? MoneyTotals())
            }
        }
        self.count = count
        total = all.total
        weighted = all.weighted(probabilities)
        lostCount = lost
        self.unvalued = unvalued
    }

    public func table(asOf: Int64?) -> ReportTable {
        var columns = [Column("stage", "Stage"), Column("probability", "Probability"), Column("count", "Deals"),
                       Column("value", "Value"), Column("weighted", "Weighted")]
        if let groupBy { columns.insert(Column(groupBy.rawValue, groupBy.rawValue.capitalized), at: 0) }
        var body: [[Cell]] = rows.map { row in
            var cells: [Cell] = [.text(row.stage.rawValue), .percent(Double(probabilities[row.stage])),
                                 .count(row.count), .money(row.total), .money(row.weighted)]
            if groupBy != nil { cells.insert(.text(row.group ?? ""), at: 0) }
            return cells
        }
        var totalRow: [Cell] = [.text("total"), .empty, .count(count), .money(total), .money(weighted)]
        if groupBy != nil { totalRow.insert(.text("all"), at: 0) }
        body.append(totalRow)
        let percents = Stage.allCases.map { "\($0.rawValue) \(probabilities[$0])%" }.joined(separator: ", ")
        var notes = [
            "Open and won deals only: \(lostCount) lost deal\(lostCount == 1 ? "" : "s") left out (see the lost report).",
            "Weighted = value x stage probability (\(percents)); won deals count 100%.",
            "Value = the main contract's value when its model is complete, else the deal's expected value.",
            "Money is summed per currency and never converted.",
        ]
        if unvalued > 0 { notes.append("\(unvalued) deal\(unvalued == 1 ? " has" : "s have") no value and count in Deals only.") }
        return ReportTable(title: "Pipeline" + (groupBy.map { " by \($0.rawValue)" } ?? ""), asOf: asOf, notes: notes,
                           sections: [ReportSection(title: "Stages", columns: columns, rows: body)])
    }
}
