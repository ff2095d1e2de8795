import GSPCore

/// Deal values collected for weighting: open deals per stage, won deals apart (the forecast
/// counts them 100%; the pipeline report keeps them out and adds only open deals).
/// Weighting rounds once per stage and currency (half away from zero), not once per deal.
public struct WeightedTotals: Hashable, Sendable {
    public private(set) var open: [Stage: MoneyTotals] = [:]
    public private(set) var won = MoneyTotals()
    public private(set) var total = MoneyTotals()
    public init() {}

    mutating func add(_ deal: Deal) {
        guard total.add(valueOf: deal) else { return }
        if deal.outcome == .won { won.add(valueOf: deal) } else { open[deal.stage, default: MoneyTotals()].add(valueOf: deal) }
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

/// The open pipeline per stage, weighted by stage probability, with won and lost deals apart:
/// a won deal is booked (closed) value, not pipeline, so it is never weighted nor added to it.
public struct PipelineReport: Sendable {
    /// Open deals of one stage (and group).
    public struct Row: Hashable, Sendable {
        /// The owner, region or manager; nil when not grouped.
        public var group: String?
        public var stage: Stage
        /// Open deals in the stage.
        public var count: Int
        /// Their value.
        public var total: MoneyTotals
        /// Their value x the stage probability.
        public var weighted: MoneyTotals
    }

    /// Closed deals of one outcome (and group).
    public struct Closed: Hashable, Sendable {
        public var group: String?
        public var outcome: Outcome
        public var count: Int
        public var value: MoneyTotals
    }

    public var groupBy: GroupBy?
    public var probabilities: StageProbabilities
    /// Seven rows per group (every stage, empty ones too), groups in name order: open deals only.
    public var rows: [Row]
    /// Won then lost, per group.
    public var closed: [Closed]
    /// Open deals, their value and their weighted value.
    public var count: Int
    public var total: MoneyTotals
    public var weighted: MoneyTotals
    public var wonCount: Int
    public var won: MoneyTotals
    public var lostCount: Int
    public var lost: MoneyTotals
    /// Deals without a value or contract value: counted, not valued.
    public var unvalued: Int

    public init(data: PipelineData, groupBy: GroupBy? = nil, probabilities: StageProbabilities = .standard) {
        self.groupBy = groupBy
        self.probabilities = probabilities
        struct Key: Hashable { var group: String?; var stage: Stage }
        struct ClosedKey: Hashable { var group: String?; var outcome: Outcome }
        var cells: [Key: (count: Int, totals: WeightedTotals)] = [:]
        var closedCells: [ClosedKey: (count: Int, value: MoneyTotals)] = [:]
        var all = WeightedTotals()
        var groups = Set<String?>()
        var won = MoneyTotals(), lost = MoneyTotals()
        var wonCount = 0, lostCount = 0, unvalued = 0, count = 0
        for deal in data.deals {
            let group = groupBy.map { deal.label($0.rawValue) }
            groups.insert(group)
            let valued = deal.reportValue != nil || deal.contractOverflowCurrency != nil
            if !valued { unvalued += 1 }
            switch deal.outcome {
            case .open:
                let key = Key(group: group, stage: deal.stage)
                cells[key, default: (0, WeightedTotals())].count += 1
                cells[key]!.totals.add(deal)
                all.add(deal)
                count += 1
            case .won, .lost:
                let key = ClosedKey(group: group, outcome: deal.outcome)
                closedCells[key, default: (0, MoneyTotals())].count += 1
                if deal.outcome == .won { wonCount += 1 } else { lostCount += 1 }
                closedCells[key]!.value.add(valueOf: deal)
                if deal.outcome == .won { won.add(valueOf: deal) } else { lost.add(valueOf: deal) }
            }
        }
        if groupBy == nil { groups = [nil] }
        let sortedGroups = groups.sorted { ($0 ?? "") < ($1 ?? "") }
        rows = sortedGroups.flatMap { group in
            Stage.allCases.map { stage in
                let cell = cells[Key(group: group, stage: stage)]
                return Row(group: group, stage: stage, count: cell?.count ?? 0,
                           total: cell?.totals.total ?? MoneyTotals(),
                           weighted: cell?.totals.weighted(probabilities) ?? MoneyTotals())
            }
        }
        closed = sortedGroups.flatMap { group in
            [Outcome.won, .lost].map { outcome in
                let cell = closedCells[ClosedKey(group: group, outcome: outcome)]
                return Closed(group: group, outcome: outcome, count: cell?.count ?? 0, value: cell?.value ?? MoneyTotals())
            }
        }
        self.count = count
        total = all.total
        // The open total row adds the rows above it, so it adds up as shown even when the
        // rows are weighted (and rounded) per group.
        var weightedSum = MoneyTotals()
        for row in rows { weightedSum.add(row.weighted) }
        weighted = weightedSum
        self.wonCount = wonCount
        self.won = won
        self.lostCount = lostCount
        self.lost = lost
        self.unvalued = unvalued
    }

    public func table(asOf: Int64?) -> ReportTable {
        var columns = [Column("stage", "Stage"), Column("probability", "Stage probability"), Column("count", "Open deals"),
                       Column("value", "Open value"), Column("weighted", "Weighted open value")]
        if let groupBy { columns.insert(Column(groupBy.rawValue, groupBy.rawValue.capitalized), at: 0) }
        var body: [[Cell]] = rows.map { row in
            var cells: [Cell] = [.text(row.stage.rawValue), .percent(Double(probabilities[row.stage])),
                                 .count(row.count), .money(row.total), .money(row.weighted)]
            if groupBy != nil { cells.insert(.text(row.group ?? ""), at: 0) }
            return cells
        }
        var totalRow: [Cell] = [.text("open total"), .empty, .count(count), .money(total), .money(weighted)]
        if groupBy != nil { totalRow.insert(.text("all"), at: 0) }
        body.append(totalRow)

        var closedColumns = [Column("outcome", "Outcome"), Column("count", "Closed deals"), Column("value", "Closed value")]
        if let groupBy { closedColumns.insert(Column(groupBy.rawValue, groupBy.rawValue.capitalized), at: 0) }
        var closedBody: [[Cell]] = closed.map { line in
            var cells: [Cell] = [.text(line.outcome.rawValue), .count(line.count), .money(line.value)]
            if groupBy != nil { cells.insert(.text(line.group ?? ""), at: 0) }
            return cells
        }
        if groupBy != nil {
            closedBody.append([.text("all"), .text("won"), .count(wonCount), .money(won)])
            closedBody.append([.text("all"), .text("lost"), .count(lostCount), .money(lost)])
        }
        let percents = Stage.allCases.map { "\($0.rawValue) \(probabilities[$0])%" }.joined(separator: ", ")
        var notes = [
            "Open pipeline: open deals only. Weighted open value = open value x stage probability (\(percents)).",
            "Closed: won deals (main contract signed: booked value, not pipeline, never weighted) and lost deals, apart from the open pipeline.",
            "Value = the main contract's value when its model is complete, else the deal's expected value.",
            "Money is summed per currency and never converted.",
        ]
        if unvalued > 0 { notes.append("\(unvalued) deal\(unvalued == 1 ? " has" : "s have") no value and count in the deal counts only.") }
        return ReportTable(title: "Pipeline" + (groupBy.map { " by \($0.rawValue)" } ?? ""), asOf: asOf, notes: notes,
                           sections: [ReportSection(title: "Open pipeline", columns: columns, rows: body),
                                      ReportSection(title: "Closed", columns: closedColumns, rows: closedBody)])
    }
}
