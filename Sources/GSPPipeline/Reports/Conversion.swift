import GSPCore

/// Stage-to-stage conversion over every live deal (open, won and lost), read two ways.
///
/// "Ever reached": a deal reached stage n when it ever held n or any later stage, so a deal
/// now in evaluation also counts for poc and kpi, even if it skipped them. The rate from n to
/// n+1 is reached(n+1) / reached(n). A stage most deals skipped shows a rate near 100% by this
/// definition; the "Skipped" count (reached without ever holding it) says so.
/// "Passed through in order": a deal passed from n to n+1 when it held n and, at some later
/// point, held n+1. The rate is over the deals that held n; with none it is n/a, not 0 or 100%.
/// Every rate is shown with its counts ("75.0% (3/4)").
public struct ConversionReport: Sendable {
    public struct Row: Hashable, Sendable {
        public var stage: Stage
        public var reached: Int
        /// Of the deals that reached this stage, those that reached the next one.
        public var reachedNext: Int
        public var held: Int
        /// Of the deals that held this stage, those that later held the next one.
        public var heldThenNext: Int
        /// Deals that reached the stage without ever holding it (they skipped it).
        public var skipped: Int { reached - held }

        /// Percent of `reached` that reached the next stage; nil for the last stage or none reached.
        public var reachedRate: Double? { rate(reachedNext, reached) }
        public var heldRate: Double? { rate(heldThenNext, held) }
        private func rate(_ part: Int, _ whole: Int) -> Double? {
            stage == .launch || whole == 0 ? nil : Double(part) * 100 / Double(whole)
        }
    }

    /// One row per stage, bau to launch.
    public var rows: [Row]
    public var deals: Int

    public init(data: PipelineData) {
        let stages = Stage.allCases
        var reached = [Int](repeating: 0, count: stages.count)
        var held = reached, heldThenNext = reached
        for deal in data.deals {
            let history = data.stageHistory[deal.id] ?? []
            let furthest = history.map(\.value.number).max() ?? deal.stage.number
            for n in 1...furthest { reached[n - 1] += 1 }
            // For each stage, the earliest step holding it; passed when a later step holds the next.
            var firstHeld = [Int?](repeating: nil, count: stages.count + 1)
            var lastHeld = firstHeld
            for (i, entry) in history.enumerated() {
                let n = entry.value.number
                if firstHeld[n - 1] == nil { firstHeld[n - 1] = i }
                lastHeld[n - 1] = i
            }
            for n in 1...stages.count where firstHeld[n - 1] != nil {
                held[n - 1] += 1
                if n < stages.count, let last = lastHeld[n], last > firstHeld[n - 1]! { heldThenNext[n - 1] += 1 }
            }
        }
        rows = stages.enumerated().map { i, stage in
            Row(stage: stage, reached: reached[i], reachedNext: i + 1 < stages.count ? reached[i + 1] : 0,
                held: held[i], heldThenNext: heldThenNext[i])
        }
        deals = data.deals.count
    }

    public func table(asOf: Int64?) -> ReportTable {
        let body: [[Cell]] = rows.map { row in
            let last = row.stage == .launch
            return [.text(row.stage.rawValue), .count(row.reached), .count(row.held), .count(row.skipped),
                    last ? .empty : .count(row.reachedNext), last ? .empty : .ratio(part: row.reachedNext, whole: row.reached),
                    last ? .empty : .count(row.heldThenNext), last ? .empty : .ratio(part: row.heldThenNext, whole: row.held)]
        }
        return ReportTable(title: "Conversion", asOf: asOf, notes: [
            "All \(deals) deals, open, won and lost, from the merged stage history.",
            "Ever reached: the deal held the stage or any later one (a deal now in evaluation counts for poc and kpi too). Skipped = ever reached but never held.",
            "Rate (ever reached) = ever reached the next stage / ever reached this one; a stage most deals skipped shows near 100% because they skipped the next one too.",
            "Rate (in order) = held this stage and later the next one / held this stage; n/a when no deal held the stage.",
            "Each rate shows its counts: 75.0% (3/4).",
        ], sections: [ReportSection(title: "Stage to stage", columns: [
            Column("stage", "Stage"), Column("reached", "Ever reached"), Column("held", "Held"), Column("skipped", "Skipped"),
            Column("reached_next", "Ever reached next"), Column("reached_rate", "Rate (ever reached)"),
            Column("held_then_next", "Held, then next"), Column("held_rate", "Rate (in order)"),
        ], rows: body)])
    }
}
