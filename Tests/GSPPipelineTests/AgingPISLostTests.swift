import Testing
import GSPCore
@testable import GSPPipeline

@Suite struct AgingTests {
    let fixture = Fixture()

    @Test func timeInStageMedianAndP90() {
        let r = AgingReport(data: fixture.live())
        #expect(r.stages.map(\.stage) == [.businessAsUsual, .proofOfConcept, .keyAgreement, .preInstallation, .evaluation, .mainContract])
        // Stays in days up to 2026-04-01 (lost deals until lost):
        // bau: Acme 5, Beta 7 and 10, Gamma 8, Delta 7, Epsilon 2, Zeta 3, Eta 84 -> 2 3 5 7 7 8 10 84.
        #expect(r.stages[0] == .init(stage: .businessAsUsual, stays: 8, medianDays: 7, p90Days: 84))
        // poc: Acme 10, Beta 26 and 40, Delta 26, Zeta 4 -> 4 10 26 26 40.
        #expect(r.stages[1] == .init(stage: .proofOfConcept, stays: 5, medianDays: 26, p90Days: 40))
        // kpi: Acme 12, Delta 20 (lost 02-25), Zeta 3.
        #expect(r.stages[2] == .init(stage: .keyAgreement, stays: 3, medianDays: 12, p90Days: 20))
        // pis: Acme 37 (02-01 to 03-10), Zeta 8.
        #expect(r.stages[3] == .init(stage: .preInstallation, stays: 2, medianDays: 22.5, p90Days: 37))
        // evaluation: Acme 10, Gamma 71 (still there), Zeta 12, Iota 14 3/8 (03-01 to 03-15 09:00).
        #expect(r.stages[4] == .init(stage: .evaluation, stays: 4, medianDays: (12 + 14.375) / 2, p90Days: 71))
        // main_contract: Acme 12 (open); Zeta 02-01 to won 02-10 = 9; Iota 03-15 09:00 to won 03-16 = 15/24.
        #expect(r.stages[5] == .init(stage: .mainContract, stays: 3, medianDays: 9, p90Days: 12))
    }

    @Test func stalledOpenDeals() {
        let r = AgingReport(data: fixture.live())
        // Gamma last changed 02-15 (45 days), Beta 02-20 (40), Eta 03-01 11:00 (30 days 13 hours).
        // Acme's last change is 03-20; won and lost deals are not stalled.
        #expect(r.stalled.map(\.deal) == [fixture.d3, fixture.d2, fixture.d7])
        #expect(r.stalled.map(\.idleDays) == [45, 40, 30])
        #expect(AgingReport(data: fixture.live(), stalledDays: 41).stalled.map(\.deal) == [fixture.d3])
    }

    @Test func closingADealStopsItsClock() {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice
        func t(_ d: String) -> Int64 { HistoryBuilder.ms(d) }
        // Won after 10 days in main_contract, then untouched for a year: the stay is 10 days, not 375.
        let won = b.deal("Won", at: t("2017-01-01"), by: a, stage: .proofOfConcept)
        b.stage(won, .mainContract, at: t("2017-01-21"), by: a)
        b.write("deals", won, ["outcome": .text("won")], at: t("2017-01-31"), by: a)
        // Lost after 4 days in kpi.
        let lost = b.deal("Lost", at: t("2017-01-01"), by: a, stage: .keyAgreement)
        b.write("deals", lost, ["outcome": .text("lost")], at: t("2017-01-05"), by: a)
        // Open, in main_contract since 2017-12-01: 31 days to the report's moment.
        let open = b.deal("Open", at: t("2017-01-01"), by: a, stage: .mainContract)
        b.stage(open, .mainContract, at: t("2017-01-01"), by: a)
        b.write("deals", open, ["title": .text("Open deal")], at: t("2017-12-01"), by: a)
        let data = PipelineData(history: b.changes, now: t("2018-01-01"))
        let r = AgingReport(data: data, stalledDays: 30)
        let main = r.stages.first { $0.stage == .mainContract }!
        // Stays 10 (won) and 365 (open since 2017-01-01): median 187.5, p90 365.
        #expect(main.stays == 2 && main.medianDays == 187.5 && main.p90Days == 365)
        #expect(r.stages.first { $0.stage == .keyAgreement }!.medianDays == 4)
        #expect(r.stages.first { $0.stage == .proofOfConcept }!.medianDays == 20)
        // Only the open deal can stall, though all three were quiet for 30 days or more.
        #expect(r.stalled.map(\.deal) == [open])
    }

    @Test func childRowChangesKeepADealAwake() {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice
        let id = b.deal("Quiet", at: HistoryBuilder.ms("2026-01-01"), by: a)
        b.child("activities", of: id, at: HistoryBuilder.ms("2026-02-20"), by: a, ["kind": .text("visit")])
        let data = PipelineData(history: b.changes, now: HistoryBuilder.ms("2026-03-01"))
        #expect(data.lastChange[id] == HistoryBuilder.ms("2026-02-20"))
        #expect(AgingReport(data: data, stalledDays: 30).stalled.isEmpty)
        #expect(AgingReport(data: data, stalledDays: 9).stalled.map(\.idleDays) == [9])
    }
}

@Suite struct PISTests {
    @Test func feesPerDealEngineerAndMonth() {
        let fixture = Fixture()
        let r = PISReport(data: fixture.live())
        // Acme: Kim 300 + 90, Lee 60 (Kim's deleted 120 does not count) = 450 min at 120 USD/h = 900.
        // Beta: Ann 30 min, no rate. Zeta: Lee 47 min at 100 EUR/h = 78.333.. -> 78.33. Theta is deleted.
        #expect(r.deals.map(\.deal) == [fixture.d1, fixture.d2, fixture.d6])
        #expect(r.deals[0].minutes == 450 && r.deals[0].fee == money("900.00 USD") && r.deals[0].engineer == "Kim")
        #expect(r.deals[1].minutes == 30 && r.deals[1].fee == nil && r.deals[1].rate == nil)
        #expect(r.deals[2].fee == money("78.33 EUR"))
        #expect(r.unpricedMinutes == 30)
        #expect(r.engineers == [
            .init(key: "Ann", minutes: 30, fee: MoneyTotals()),
            .init(key: "Kim", minutes: 390, fee: totals("780.00 USD")),
            .init(key: "Lee", minutes: 107, fee: totals("120.00 USD", "78.33 EUR")),
        ])
        #expect(r.months == [
            .init(key: "2026-01", minutes: 47, fee: totals("78.33 EUR")),
            .init(key: "2026-02", minutes: 330, fee: totals("600.00 USD")),
            .init(key: "2026-03", minutes: 150, fee: totals("300.00 USD")),
        ])
    }
}

@Suite struct LostTests {
    @Test func byStageAndReason() {
        let fixture = Fixture()
        let r = LostReport(data: fixture.live())
        #expect(r.deals.map(\.id) == [fixture.d4, fixture.d5])
        #expect(r.stages.map(\.count) == [1, 0, 1, 0, 0, 0, 0])
        #expect(r.stages[2].value == totals("20000.00 USD"))
        #expect(r.reasons == [
            .init(stage: .businessAsUsual, reason: "no budget", count: 1, value: totals("10000.00 EUR")),
            .init(stage: .keyAgreement, reason: "price", count: 1, value: totals("20000.00 USD")),
        ])
    }

    @Test func lostStageWinsOverCurrentStage() {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice, t = HistoryBuilder.ms("2026-01-01")
        let x = b.deal("X", at: t, by: a, stage: .evaluation, ["outcome": .text("lost"), "lost_stage": .text("pis"), "lost_reason": .text("price")])
        let y = b.deal("Y", at: t, by: a, stage: .evaluation, ["outcome": .text("lost"), "lost_reason": .text("price")])
        let z = b.deal("Z", at: t, by: a, stage: .evaluation, ["outcome": .text("lost"), "lost_reason": .text("  price ")])
        _ = (x, y, z)
        let r = LostReport(data: PipelineData(history: b.changes))
        #expect(r.stages.map(\.count) == [0, 0, 0, 1, 2, 0, 0])
        #expect(r.reasons.map(\.count) == [1, 2])
        #expect(r.reasons.map(\.reason) == ["price", "price"])
    }
}
