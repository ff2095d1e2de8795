import Testing
import GSPCore
@testable import GSPPipeline

/// Concurrent offline edits can leave a closed deal contradicting its close; the anomalies
/// report lists such deals (lost ones included).
@Suite struct AnomalyCloseTests {
    typealias B = HistoryBuilder
    static func t(_ d: String, _ h: Int = 0) -> Int64 { B.ms(d, hour: h) }

    @Test func stageMovedAfterTheDealWasLost() {
        var b = B()
        let id = b.deal("Cheers", at: Self.t("2017-03-01"), by: B.alice)
        let seen = b.changes.last!.hlc
        // alice marks it lost at bau; bob, offline since before, moves it to poc later that day.
        b.write("deals", id, ["outcome": .text("lost"), "lost_stage": .text("bau")], at: Self.t("2017-03-02", 9), by: B.alice)
        b.write("deals", id, ["stage": .text("poc")], at: Self.t("2017-03-02", 10), by: B.bob, prev: seen)
        let data = PipelineData(history: b.changes)
        #expect(data.deal(id)?.stage == .proofOfConcept && data.deal(id)?.outcome == .lost)
        let r = AnomaliesReport(data: data)
        // Two findings: the move after the loss, and the stage that differs from lost_stage.
        #expect(r.problems.map(\.deal) == [id, id])
        #expect(r.problems.allSatisfy { $0.gate == nil && $0.outcome == .lost })
        #expect(r.problems[0].message.hasPrefix("stage moved to poc on 2017-03-02 10:00 UTC, after the deal was lost on 2017-03-02 09:00"))
        #expect(r.problems[1].message.hasPrefix("lost at bau but now in stage poc"))
    }

    @Test func stageWrittenBeforeTheLossButMergedAgainstLostStage() {
        var b = B()
        let id = b.deal("Cheers", at: Self.t("2017-03-01"), by: B.alice)
        let seen = b.changes.last!.hlc
        // bob's earlier offline move arrives after alice recorded the loss at bau.
        b.write("deals", id, ["stage": .text("poc")], at: Self.t("2017-03-02", 8), by: B.bob, prev: seen)
        b.write("deals", id, ["outcome": .text("lost"), "lost_stage": .text("bau")], at: Self.t("2017-03-02", 9), by: B.alice, prev: seen)
        let r = AnomaliesReport(data: PipelineData(history: b.changes))
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.message.hasPrefix("lost at bau but now in stage poc") == true)
    }

    @Test func stageMovedAfterTheDealWasWonButLaunchIsFine() {
        var b = B()
        let won = b.deal("Won", at: Self.t("2017-01-01"), by: B.alice, stage: .mainContract,
                         ["stage_override": .text("imported"), "contract_signed": date("2017-01-05")])
        b.write("deals", won, ["outcome": .text("won")], at: Self.t("2017-01-05"), by: B.alice)
        b.stage(won, .evaluation, at: Self.t("2017-01-06"), by: B.bob)
        let launched = b.deal("Launched", at: Self.t("2017-01-01"), by: B.alice, stage: .mainContract,
                              ["stage_override": .text("imported"), "contract_signed": date("2017-01-05")])
        b.write("deals", launched, ["outcome": .text("won")], at: Self.t("2017-01-05"), by: B.alice)
        b.stage(launched, .launch, at: Self.t("2017-02-01"), by: B.alice)
        let r = AnomaliesReport(data: PipelineData(history: b.changes))
        #expect(r.problems.map(\.deal) == [won])
        #expect(r.problems.first?.message.hasPrefix("stage moved to evaluation on 2017-01-06 00:00 UTC, after the deal was won") == true)
        // Both passed their gates by override: one line each.
        #expect(r.overridden.count == 2)
        let table = AnomaliesReport(data: PipelineData(history: b.changes)).table(asOf: nil)
        #expect(table.sections[0].columns.first?.key == "id")
        #expect(table.sections[0].rows.first?.first == .text(String(won.uuidString.lowercased().prefix(8))))
    }
}
