import GSPCore

/// Stage-to-stage conversion over every live deal (open, won and lost), read two ways.
///
/// "Reached": a deal reached every stage up to the furthest it ever held, even stages it
/// skipped (a deal moved from poc straight to evaluation reached kpi and pis too).
/// "In order": a deal passed stage n to n+1 when it held n and, at some later point, n+1.
public struct ConversionReport: Sendable {
    public struct Row: Hashable, Sendable {
        public var stage: Stage
        public var reached: Int
        /// Of the deals that reached this stage, those that reached the next one.
        public var reachedNext: Int
        public var held: Int
        /// Of the deals that held this stage, those that later held the next one.
        public var heldThenNext: Int

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
            return [.text(row.stage.rawValue), .count(row.reached), last ? .empty : .count(row.reachedNext),
                    .percent(row.reachedRate), .count(row.held), last ? .empty : .count(row.heldThenNext),
                    .percent(row.heldRate)]
        }
        return ReportTable(title: "Conversion", asOf: asOf, notes: [
            "All \(deals) deals, open, won and lost, from the merged stage history.",
            "Reached: the furthest stage a deal ever held counts every stage before it, skipped ones too.",
            "In order: the deal held the stage and, at a later point, the next one.",
        ], sections: [ReportSection(title: "Stage to stage", columns: [
            Column("stage", "Stage"), Column("reached", "Reached"), Column("reached_next", "Reached next"),
            Column("reached_rate", "Rate"), Column("held", "Held"), Column("held_then_next", "Then next"),
            Column("held_rate", "Rate in order"),
        ], rows: body)])
    }
}
