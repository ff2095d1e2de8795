import Testing
import GSPCore
@testable import GSPPipeline

@Suite struct ForecastTests {
    let fixture = Fixture()

    @Test func weightedByCloseMonthAndContractModels() {
        let r = ForecastReport(data: Fixture().live())
        // Zeta has no expected close: its contract's signed date (2026-02-10) places it.
        #expect(r.months.map(\.month) == ["2026-02", "2026-05", "2026-06", nil])
        #expect(r.months[0] == .init(month: "2026-02", count: 1, total: totals("30000.00 USD"), weighted: totals("30000.00 USD")))
        #expect(r.months[1].weighted == totals("500000 JPY"))
        #expect(r.months[2].weighted == totals("108000.00 USD"))
        // No date: Gamma (50000 EUR at 50%), Eta (7000 USD at 5%), Iota (won 40000 USD).
        #expect(r.months[3].count == 3)
        #expect(r.months[3].total == totals("47000.00 USD", "50000.00 EUR"))
        #expect(r.months[3].weighted == totals("40350.00 USD", "25000.00 EUR"))
        // Royalty: Acme 2.00 x 60000; one-time charge: Zeta 30000. Lost Delta had no contract.
        #expect(r.models == [.init(model: "royalty", count: 1, total: totals("120000.00 USD")),
                             .init(model: "otc", count: 1, total: totals("30000.00 USD"))])
    }
}

@Suite struct ConversionTests {
    @Test func reachedAndInOrder() {
        let r = ConversionReport(data: Fixture().live())
        #expect(r.deals == 8)
        // Furthest stages: Acme 6, Beta 2, Gamma 5 (skipped poc..pis), Delta 3, Epsilon 1, Zeta 6, Eta 1, Iota 6.
        #expect(r.rows.map(\.reached) == [8, 6, 5, 4, 4, 3, 0])
        #expect(r.rows.map(\.reachedNext) == [6, 5, 4, 4, 3, 0, 0])
        // Held: Iota was imported at evaluation (never bau); Gamma never held poc, kpi or pis.
        #expect(r.rows.map(\.held) == [7, 4, 3, 2, 4, 3, 0])
        // Beta went bau, poc, bau, poc: it passed bau to poc once. Gamma's bau to evaluation passes nothing.
        #expect(r.rows.map(\.heldThenNext) == [4, 3, 2, 2, 3, 0, 0])
        #expect(r.rows[0].reachedRate == 75)
        #expect(r.rows[4].heldRate == 75)
        #expect(r.rows[6].reachedRate == nil)
    }

    @Test func movedBackwardsThenForwardCountsOnce() {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice
        let id = b.deal("Yo-yo", at: HistoryBuilder.ms("2026-01-01"), by: a)
        b.stage(id, .proofOfConcept, at: HistoryBuilder.ms("2026-01-02"), by: a)
        b.stage(id, .keyAgreement, at: HistoryBuilder.ms("2026-01-03"), by: a)
        b.stage(id, .proofOfConcept, at: HistoryBuilder.ms("2026-01-04"), by: a)
        let data = PipelineData(history: b.changes)
        #expect(data.stageHistory[id]!.map(\.value) == [.businessAsUsual, .proofOfConcept, .keyAgreement, .proofOfConcept])
        let r = ConversionReport(data: data)
        // Now in poc, but it reached kpi once.
        #expect(r.rows.map(\.reached) == [1, 1, 1, 0, 0, 0, 0])
        #expect(r.rows.map(\.heldThenNext) == [1, 1, 0, 0, 0, 0, 0])
    }

    @Test func concurrentStageEditsFollowTheMergeOrder() {
        // Two nodes move the same deal at the same millisecond; the greater node id wins, so
        // the history records the winner only.
        var b = HistoryBuilder()
        let t = HistoryBuilder.ms("2026-01-02")
        let id = b.deal("Race", at: HistoryBuilder.ms("2026-01-01"), by: HistoryBuilder.alice)
        let seen = b.changes.first { $0.field == "stage" }!.hlc
        b.write("deals", id, ["stage": .text("kpi")], at: t, by: HistoryBuilder.bob, prev: seen)
        b.write("deals", id, ["stage": .text("poc")], at: t, by: HistoryBuilder.alice, prev: seen)
        let data = PipelineData(history: b.changes)
        // alice's write got counter 1 at t, bob's counter 0: alice's HLC is greater and wins.
        #expect(data.deal(id)!.stage == .proofOfConcept)
        #expect(data.stageHistory[id]!.map(\.value) == [.businessAsUsual, .keyAgreement, .proofOfConcept])
        #expect(data.conflicts.count == 1)
    }
}
