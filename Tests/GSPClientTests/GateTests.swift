import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

@Suite struct GateTests {
    @Test func enteringPISWithoutAKPIFailsNamingTheKPI() throws {
        let r = try TestReplica().replica
        let id = try r.dealInStage(.keyAgreement)
        let before = try ReplicaSnapshot(r)
        let error = #expect(throws: ReplicaError.self) { try r.advance(id.lowercased, to: .preInstallation) }
        #expect(error?.code == .gateBlocked)
        #expect(error?.message.contains("KPI") == true)
        #expect(try ReplicaSnapshot(r) == before)
        #expect(try r.deal(id.lowercased).stage == .keyAgreement)
    }

    @Test func jumpingAheadChecksEveryGateOnTheWay() throws {
        let r = try TestReplica().replica
        let id = try r.createDeal(title: "t", account: "a")
        let error = #expect(throws: ReplicaError.self) { try r.advance(id.lowercased, to: .launch) }
        let message = error?.message ?? ""
        for needed in ["agreed KPI", "signed PIS", "passed evaluation", "signed main contract"] {
            #expect(message.contains(needed), "missing '\(needed)' in: \(message)")
        }
    }

    /// Each gate refuses naming what is missing, changes nothing, and opens once the data is there.
    @Test func eachGateOpensWhenItsDataIsThere() throws {
        let r = try TestReplica().replica
        let id = try r.dealInStage(.keyAgreement), deal = id.lowercased
        func refused(_ stage: Stage, naming words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let before = try ReplicaSnapshot(r)
            let error = #expect(throws: ReplicaError.self, sourceLocation: sourceLocation) { try r.advance(deal, to: stage) }
            #expect(error?.code == .gateBlocked, sourceLocation: sourceLocation)
            for word in words {
                #expect(error?.message.contains(word) == true, "'\(word)' not in: \(error?.message ?? "")", sourceLocation: sourceLocation)
            }
            #expect(try ReplicaSnapshot(r) == before, "a refused move changed the replica", sourceLocation: sourceLocation)
        }
        try refused(.preInstallation, naming: ["entering pis needs at least one agreed KPI"])
        let kpi = try r.addKPI(deal, metric: "frame rate", unit: "fps", target: ">=30")
        try r.advance(deal, to: .preInstallation)

        try refused(.evaluation, naming: ["signed PIS contract", "assigned PIS engineer"])
        try r.signPIS(deal, rate: "120 USD/h", engineer: "bob")
        try r.advance(deal, to: .evaluation)

        try refused(.mainContract, naming: ["passed evaluation", "measure every KPI"])
        try r.measureKPI(kpi.lowercased, value: "29")
        try refused(.mainContract, naming: ["passed evaluation", "a KPI was missed"])
        try r.measureKPI(kpi.lowercased, value: "30")
        try r.advance(deal, to: .mainContract)

        try refused(.launch, naming: ["signed main contract", "main contract's model data"])
        try r.signContract(deal, terms: .oneTimeCharge(fee: try Money.parse("90000 USD"), device: "X1"))
        try r.advance(deal, to: .launch)
        let done = try r.dealDetail(deal)
        #expect(done.deal.stage == .launch)
        #expect(done.deal.outcome == .won)
        #expect(done.contractValue == (try Money.parse("90000 USD")))
        #expect(done.stages.map(\.stage) == Stage.allCases)
    }

    @Test func overrideMovesAndRecordsTheReasonInHistory() throws {
        let r = try TestReplica().replica
        let id = try r.dealInStage(.keyAgreement)
        try r.advance(id.lowercased, to: .evaluation, override: "customer pays PIS next quarter")
        #expect(try r.deal(id.lowercased).stage == .evaluation)
        let history = try r.history(table: .deals, row: id, field: "stage_override")
        #expect(history.map(\.change.value) == [.text("customer pays PIS next quarter")])
        let stages = try r.stageHistory(of: id)
        #expect(stages.last?.stage == .evaluation)
        #expect(stages.last?.overrideReason == "customer pays PIS next quarter")
        #expect(stages.last?.user == "alice")
    }

    @Test func movingBackNeedsNoGateAndLostDealsDoNotMove() throws {
        let r = try TestReplica().replica
        let id = try r.dealInStage(.keyAgreement)
        try r.advance(id.lowercased, to: .businessAsUsual)
        try r.loseDeal(id.lowercased, reason: "budget cut")
        let lost = try r.deal(id.lowercased)
        #expect(lost.outcome == .lost)
        #expect(lost["lost_stage"] == .text("bau"))
        let error = #expect(throws: ReplicaError.self) { try r.advance(id.lowercased, to: .proofOfConcept) }
        #expect(error?.code == .invalidState)
    }

    @Test func pisFeeIsHoursTimesRateExactly() throws {
        let r = try TestReplica().replica
        let deal = try r.dealInStage(.keyAgreement).lowercased
        try r.signPIS(deal, rate: "120 USD/h", engineer: "bob")
        try r.logTime(deal, engineer: "bob", hours: "7.5")
        try r.logTime(deal, engineer: "bob", hours: "0.25")
        let detail = try r.dealDetail(deal)
        #expect(detail.totalMinutes == 465)
        #expect(detail.pisFee == Money(minorUnits: 93_000, currency: "USD"))
    }
}
