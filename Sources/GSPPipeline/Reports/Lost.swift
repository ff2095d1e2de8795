import GSPCore

/// Lost deals by the stage they were lost at (`lost_stage`, else the stage they were in) and reason.
public struct LostReport: Sendable {
    public struct LostDeal: Hashable, Sendable {
        public var id: RowID
        public var name: String
        public var owner: String
        public var stage: Stage
        /// Empty when no reason was given.
        public var reason: String
        public var value: Money?
        /// The contract's currency when its value overflows 64 bits.
        public var overflow: String? = nil
    }

    public struct StageLine: Hashable, Sendable {
        public var stage: Stage
        public var count: Int
        public var value: MoneyTotals
    }

    public struct ReasonLine: Hashable, Sendable {
        public var stage: Stage
        public var reason: String
        public var count: Int
        public var value: MoneyTotals
    }

    public var deals: [LostDeal]
    /// Every stage, in order.
    public var stages: [StageLine]
    /// By stage, then most frequent reason first.
    public var reasons: [ReasonLine]

    public init(data: PipelineData) {
        let deals = data.deals.filter { $0.outcome == .lost }.map { d in
            let stage = d["lost_stage"].textValue.flatMap(Stage.init(rawValue:)) ?? d.stage
            return LostDeal(id: d.id, name: d.displayName, owner: d.owner, stage: stage,
                        reason: (d["lost_reason"].textValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                        value: d.reportValue, overflow: d.contractOverflowCurrency)
        }
        self.deals = deals
        stages = Stage.allCases.map { stage in
            let lost = deals.filter { $0.stage == stage }
            var value = MoneyTotals()
            for d in lost { value.add(MoneyTotals.exactOrOver(d.value, currency: d.overflow)) }
            return StageLine(stage: stage, count: lost.count, value: value)
        }
        var lines: [String: ReasonLine] = [:]
        for d in deals {
            let key = d.stage.rawValue + "\u{0}" + d.reason
            var line = lines[key] ?? ReasonLine(stage: d.stage, reason: d.reason, count: 0, value: MoneyTotals())
            line.count += 1
            line.value.add(MoneyTotals.exactOrOver(d.value, currency: d.overflow))
            lines[key] = line
        }
        reasons = lines.values.sorted { ($0.stage.number, -$0.count, $0.reason) < ($1.stage.number, -$1.count, $1.reason) }
    }

    public func table(asOf: Int64?) -> ReportTable {
        ReportTable(title: "Lost deals", asOf: asOf, notes: [
            "\(deals.count) lost deal\(deals.count == 1 ? "" : "s"), at the stage recorded when lost (else the stage they were in).",
            "Money is summed per currency.",
        ], sections: [
            ReportSection(title: "By stage", columns: [Column("stage", "Stage"), Column("count", "Deals"), Column("value", "Value")],
                          rows: stages.map { [.text($0.stage.rawValue), .count($0.count), .money($0.value)] }),
            ReportSection(title: "By reason", columns: [
                Column("stage", "Stage"), Column("reason", "Reason"), Column("count", "Deals"), Column("value", "Value"),
            ], rows: reasons.map { [.text($0.stage.rawValue), .text($0.reason.isEmpty ? "(no reason)" : $0.reason), .count($0.count), .money($0.value)] }),
            ReportSection(title: "Deals", columns: [
                Column("id", "ID"), Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Lost at"), Column("reason", "Reason"), Column("value", "Value"),
            ], rows: deals.map { [.text($0.id.short), .text($0.name), .text($0.owner), .text($0.stage.rawValue), .text($0.reason), .money(MoneyTotals.exactOrOver($0.value, currency: $0.overflow))] }),
        ])
    }
}
