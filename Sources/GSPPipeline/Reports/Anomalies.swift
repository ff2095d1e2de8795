import GSPCore

/// Deals whose merged state breaks a stage gate or contradicts their outcome. Merging never
/// rejects data (concurrent offline edits can make a combination no single writer made), so
/// this is where a manager finds them.
///
/// Open and won deals are checked against the gates of their stage and every stage before it.
/// Won and lost deals are also checked for moves that contradict the close: a stage changed
/// after the deal was won or lost (launch after won excepted), and a lost deal whose current
/// stage is not the stage it was recorded lost at.
public struct AnomaliesReport: Sendable {
    public struct Problem: Hashable, Sendable {
        public var deal: RowID
        public var name: String
        public var owner: String
        public var stage: Stage
        public var outcome: Outcome
        /// The gate a problem belongs to; nil for an outcome problem.
        public var gate: Stage?
        public var message: String
    }

    /// The gates one deal passed with a recorded override: one line per deal, each gate once.
    public struct Override: Hashable, Sendable {
        public var deal: RowID
        public var name: String
        public var owner: String
        public var stage: Stage
        /// The gates whose requirements the deal does not meet, in stage order, each once.
        public var gates: [Stage]
        /// How many requirements of those gates are missing.
        public var missing: Int
        public var reason: String
    }

    public static let wonWithoutSignedContract = "outcome won needs a signed main contract (gsp contract sign DEAL ...)"

    /// One per deal and problem, deals in name order, gates in stage order.
    public var problems: [Problem]
    /// Deals moved with a recorded override (`stage_override`): acknowledged, listed apart with
    /// the reason so they do not hide the unexplained ones.
    public var overridden: [Override]

    public init(data: PipelineData) {
        var problems: [Problem] = []
        var overridden: [Override] = []
        for deal in data.deals {
            func add(_ gate: Stage?, _ message: String) {
                problems.append(Problem(deal: deal.id, name: deal.displayName, owner: deal.owner, stage: deal.stage,
                                        outcome: deal.outcome, gate: gate, message: message))
            }
            if deal.outcome != .open {
                for message in Self.closeContradictions(deal, data: data) { add(nil, message) }
            }
            guard deal.outcome != .lost else { continue }
            let kpis = data.kpis(of: deal.id)
            // A deal in a stage must meet that stage's gate and the gates of every stage before it.
            var gateProblems: [(Stage, String)] = []
            for stage in Stage.allCases where stage <= deal.stage {
                for message in StageGate.requirements(of: stage, deal: deal, kpis: kpis) { gateProblems.append((stage, message)) }
            }
            // Gate problems of a move made with a recorded override are acknowledged: listed apart.
            if let reason = deal["stage_override"].textValue, !reason.isEmpty {
                if !gateProblems.isEmpty {
                    var gates: [Stage] = []
                    for (gate, _) in gateProblems where gates.last != gate { gates.append(gate) }
                    overridden.append(Override(deal: deal.id, name: deal.displayName, owner: deal.owner, stage: deal.stage,
                                               gates: gates, missing: gateProblems.count, reason: reason))
                }
            } else {
                for (gate, message) in gateProblems { add(gate, message) }
            }
            if deal.outcome == .won && deal["contract_signed"].dateValue == nil { add(nil, Self.wonWithoutSignedContract) }
        }
        self.problems = problems
        self.overridden = overridden
    }

    /// What in a won or lost deal's merged history contradicts its close.
    static func closeContradictions(_ deal: Deal, data: PipelineData) -> [String] {
        var messages: [String] = []
        let outcome = deal.outcome.rawValue
        if let closed = data.outcomeHistory[deal.id]?.last(where: { $0.value == deal.outcome })?.at {
            let moves = (data.stageHistory[deal.id] ?? []).filter { $0.at > closed && !(deal.outcome == .won && $0.value == .launch) }
            for move in moves {
                messages.append("stage moved to \(move.value.rawValue) on \(Cell.formatMoment(move.at)) UTC, after the deal was \(outcome) on \(Cell.formatMoment(closed)) UTC (concurrent edits?): set the stage back or reopen the deal")
            }
        }
        if deal.outcome == .lost, let text = deal["lost_stage"].textValue, let lostStage = Stage(rawValue: text), lostStage != deal.stage {
            messages.append("lost at \(lostStage.rawValue) but now in stage \(deal.stage.rawValue): the stage changed concurrently with marking it lost")
        }
        return messages
    }

    public func table(asOf: Int64?) -> ReportTable {
        ReportTable(title: "Anomalies", asOf: asOf, notes: [
            "Open and won deals whose merged data breaks a stage gate of their stage or of a stage before it.",
            "Won and lost deals whose stage moved after they closed, or whose stage differs from the stage they were lost at.",
            "Merging keeps such data (it can come from concurrent offline edits); resolve it on the deal.",
            "Gates passed with a recorded override (gsp deal advance --override REASON, or an import) are listed apart, one line per deal.",
        ], sections: [ReportSection(title: "Problems", columns: [
            Column("id", "ID"), Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Stage"),
            Column("outcome", "Outcome"), Column("gate", "Gate"), Column("problem", "Problem"),
        ], rows: problems.map {
            [.text($0.deal.short), .text($0.name), .text($0.owner), .text($0.stage.rawValue), .text($0.outcome.rawValue),
             .text($0.gate?.rawValue ?? "outcome"), .text($0.message)]
        }), ReportSection(title: "Overridden gates", columns: [
            Column("id", "ID"), Column("deal", "Deal"), Column("owner", "Owner"), Column("stage", "Stage"),
            Column("gates", "Gates overridden"), Column("missing", "Missing requirements"), Column("override", "Override reason"),
        ], rows: overridden.map {
            [.text($0.deal.short), .text($0.name), .text($0.owner), .text($0.stage.rawValue),
             .text($0.gates.map(\.rawValue).joined(separator: ", ")), .count($0.missing), .text($0.reason)]
        })])
    }
}
