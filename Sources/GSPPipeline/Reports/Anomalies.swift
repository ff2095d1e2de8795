import GSPCore

/// Deals whose merged state breaks a stage gate. Merging never rejects data (concurrent
/// offline edits can make a combination no single writer made), so this is where a manager
/// finds them. Lost deals are left out: they have left the pipeline.
public struct AnomaliesReport: Sendable {
    public struct Problem: Hashable, Sendable {
        public var deal: RowID
        public var name: String
        public var owner: String
        public var stage: Stage
        public var outcome: Outcome
        /// The gate a problem belongs to; nil for the won-without-contract check.
        public var gate: Stage?
        public var message: String
    }

    public static let wonWithoutSignedContract = "outcome won needs a signed main contract (gsp contract sign DEAL ...)"

    /// One per deal and problem, deals in name order, gates in stage order.
    public var problems: [Problem]
    /// Gate problems of deals moved with a recorded override (`stage_override`): acknowledged,
    /// listed apart with the reason so they do not hide the unexplained ones.
    public var overridden: [(problem: Problem, reason: String)]

    public init(data: PipelineData) {
        var problems: [Problem] = []
        var overridden: [(problem: Problem, reason: String)] = []
        for deal in data.deals where deal.outcome != .lost {
            let kpis = data.kpis(of: deal.id)
            // Gate problems of a move made with a recorded override are acknowledged: listed apart.
            let override = deal["stage_override"].textValue.flatMap { $0.isEmpty ? nil : $0 }
            func add(_ gate: Stage?, _ message: String) {
                let problem = Problem(deal: deal.id, name: deal.displayName, owner: deal.owner, stage: deal.stage,
                                      outcome: deal.outcome, gate: gate, message: message)
                if let override, gate != nil { overridden.append((problem, override)) } else { problems.append(problem) }
            }
            // A deal in a stage must meet that stage's gate and the gates of every stage before it.
            for stage in Stage.allCases where stage <= deal.stage {
                for message in StageGate.requirements(of: stage, deal: deal, kpis: kpis) { add(stage, message) }
            }
            if deal.outcome == .won && deal["contract_signed"].dateValue == nil { add(nil, Self.wonWithoutSignedContract) }
        }
        self.problems = problems
        self.overridden = overridden
    }

    public func table(asOf: Int64?) -> ReportTable {
        ReportTable(title: "Anomalies", asOf: asOf, notes: [
            "Open and won deals whose merged data breaks a stage gate of their stage or of a stage before it.",
            "Merging keeps such data (it can come from concurrent offline edits); resolve it on the deal.",
            "Gates passed with a recorded override (gsp deal advance --override REASON, or an import) are listed apart.",
        ], sections: [ReportSection(title: "Problems", columns: [
            Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Stage"), Column("outcome", "Outcome"),
            Column("gate", "Gate"), Column("problem", "Problem"),
        ], rows: problems.map {
            [.text($0.name), .text($0.owner), .text($0.stage.rawValue), .text($0.outcome.rawValue),
             .text($0.gate?.rawValue ?? "outcome"), .text($0.message)]
        }), ReportSection(title: "Overridden gates", columns: [
            Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Stage"),
            Column("gate", "Gate"), Column("override", "Override reason"),
        ], rows: overridden.map {
            [.text($0.problem.name), .text($0.problem.owner), .text($0.problem.stage.rawValue),
             .text($0.problem.gate?.rawValue ?? ""), .text($0.reason)]
        })])
    }
}
