import GSPCore

/// Time spent in each stage, from the merged stage history, and open deals gone quiet.
///
/// A stay runs from entering a stage to leaving it. The clock stops when a deal closes: the
/// last stay of a won or lost deal ends at its outcome change (marked won or lost), and an
/// open deal's current stay runs until the report's moment. A stage entered after the close
/// is not timed (the anomalies report lists such moves). Launch is the end of the process,
/// so time in it is not measured.
public struct AgingReport: Sendable {
    public struct StageAge: Hashable, Sendable {
        public var stage: Stage
        /// How many stays were measured (a deal that came back to a stage stays twice).
        public var stays: Int
        /// Median in days: the middle stay, or the mean of the two middle ones.
        public var medianDays: Double?
        /// 90th percentile in days, nearest rank: the smallest stay at or above 90% of them.
        public var p90Days: Double?
    }

    public struct Stalled: Hashable, Sendable {
        public var deal: RowID
        public var name: String
        public var owner: String
        public var stage: Stage
        public var lastChange: Int64
        /// Whole days since the last change.
        public var idleDays: Int
    }

    public var stages: [StageAge]
    /// Most idle first.
    public var stalled: [Stalled]
    public var stalledDays: Int

    /// - Parameter stalledDays: idle days that make an open deal stalled (0 or more).
    public init(data: PipelineData, stalledDays: Int = 30) {
        let stalledDays = max(0, stalledDays)
        self.stalledDays = stalledDays
        var stays: [Stage: [Int64]] = [:]
        for deal in data.deals {
            let history = data.stageHistory[deal.id] ?? []
            // The clock stops when the deal closes: a won or lost deal's stays end at the outcome change.
            let closed = deal.outcome == .open ? nil : data.outcomeHistory[deal.id]?.last { $0.value == deal.outcome }?.at
            let stop = closed ?? data.moment
            for (i, entry) in history.enumerated() where entry.value != .launch && entry.at <= stop {
                let end = i + 1 < history.count ? min(history[i + 1].at, stop) : stop
                stays[entry.value, default: []].append(max(0, end - entry.at))
            }
        }
        self.stages = Stage.allCases.filter { $0 != .launch }.map { stage in
            let sorted = (stays[stage] ?? []).sorted()
            return StageAge(stage: stage, stays: sorted.count, medianDays: Self.median(sorted).map(Self.days),
                            p90Days: Self.nearestRank(sorted, 90).map(Self.days))
        }
        // Saturate: a huge N (from a query string or the command line) means "never stalled", not a trap.
        let (product, overflow) = Int64(stalledDays).multipliedReportingOverflow(by: millisecondsPerDay)
        let threshold = overflow ? (stalledDays < 0 ? Int64.min : Int64.max) : product
        stalled = data.deals.compactMap { deal in
            guard deal.outcome == .open, let last = data.lastChange[deal.id], data.moment - last >= threshold else { return nil }
            return Stalled(deal: deal.id, name: deal.displayName, owner: deal.owner, stage: deal.stage,
                           lastChange: last, idleDays: Int((data.moment - last) / millisecondsPerDay))
        }.sorted { ($0.lastChange, $0.name, $0.deal.order) < ($1.lastChange, $1.name, $1.deal.order) }
    }

    static func days(_ ms: Double) -> Double { ms / Double(millisecondsPerDay) }

    static func median(_ sorted: [Int64]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
    }

    static func nearestRank(_ sorted: [Int64], _ percent: Int) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = (percent * sorted.count + 99) / 100  // ceil(p/100 x n), at least 1
        return Double(sorted[max(rank, 1) - 1])
    }

    public func table(data: PipelineData) -> ReportTable {
        let ageRows: [[Cell]] = stages.map { s in
            [.text(s.stage.rawValue), .count(s.stays),
             s.medianDays.map { .number($0, decimals: 1) } ?? .empty, s.p90Days.map { .number($0, decimals: 1) } ?? .empty]
        }
        let stalledRows: [[Cell]] = stalled.map { s in
            [.text(s.deal.short), .text(s.name), .text(s.owner), .text(s.stage.rawValue), .date(s.lastChange.day), .count(s.idleDays)]
        }
        return ReportTable(title: "Aging", asOf: data.asOf, notes: [
            "Days in stage, from entering it to leaving it. Won and lost deals stop the clock when they close (marked won or lost); an open deal's current stay runs until \(Cell.formatMoment(data.moment)) UTC.",
            "Median of all stays; p90 by nearest rank. Launch ends the process and is not timed.",
            "Stalled: open deals with no change to the deal or its KPIs, time cards or activities for \(stalledDays) days or more.",
        ], sections: [
            ReportSection(title: "Time in stage (days)", columns: [
                Column("stage", "Stage"), Column("stays", "Stays"), Column("median_days", "Median"), Column("p90_days", "p90"),
            ], rows: ageRows),
            ReportSection(title: "Stalled deals", columns: [
                Column("id", "ID"), Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Stage"),
                Column("last_change", "Last change"), Column("idle_days", "Idle days"),
            ], rows: stalledRows),
        ])
    }
}
