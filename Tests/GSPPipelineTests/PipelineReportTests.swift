import Foundation
import Testing
import GSPCore
@testable import GSPPipeline

@Suite struct PipelineReportTests {
    let fixture = Fixture()

    func row(_ r: PipelineReport, _ stage: Stage, group: String? = nil) -> PipelineReport.Row {
        r.rows.first { $0.stage == stage && $0.group == group }!
    }

    @Test func liveCountsValuesAndWeightsPerStage() {
        let r = PipelineReport(data: fixture.live())
        // Open: Acme, Beta, Gamma, Eta. Won: Zeta, Iota. Lost: Delta, Epsilon. Deleted d8 is out.
        #expect(r.rows.map(\.stage) == Stage.allCases)
        #expect(r.count == 4)
        #expect(r.lostCount == 2 && r.lost == totals("20000.00 USD", "10000.00 EUR"))
        // Won value is booked, not pipeline: Zeta's contract 30000 (not the 25000 estimate) and Iota 40000.
        #expect(r.wonCount == 2 && r.won == totals("70000.00 USD"))
        // bau: Eta 7000 USD (bob's later concurrent edit won) at 5%.
        #expect(row(r, .businessAsUsual) == .init(group: nil, stage: .businessAsUsual, count: 1,
                                                   total: totals("7000.00 USD"), weighted: totals("350.00 USD")))
        // poc: Beta 5000000 JPY at 10%.
        #expect(row(r, .proofOfConcept).total == totals("5000000 JPY"))
        #expect(row(r, .proofOfConcept).weighted == totals("500000 JPY"))
        #expect(row(r, .keyAgreement).count == 0 && row(r, .preInstallation).count == 0 && row(r, .launch).count == 0)
        // evaluation: Gamma 50000 EUR at 50%.
        #expect(row(r, .evaluation).weighted == totals("25000.00 EUR"))
        // main_contract: only Acme is open, 120000 (royalty 2.00 x 60000) at 90% = 108000.
        #expect(row(r, .mainContract).count == 1)
        #expect(row(r, .mainContract).total == totals("120000.00 USD"))
        #expect(row(r, .mainContract).weighted == totals("108000.00 USD"))
        // Currencies stay apart in the totals; open total = 7000 + 120000 USD, weighted 350 + 108000.
        #expect(r.total == totals("127000.00 USD", "50000.00 EUR", "5000000 JPY"))
        #expect(r.weighted == totals("108350.00 USD", "25000.00 EUR", "500000 JPY"))
    }

    @Test func groupedByOwnerAfterReassignment() {
        let r = PipelineReport(data: fixture.live(), groupBy: .owner)
        #expect(Set(r.rows.compactMap(\.group)) == ["alice", "bob"])
        #expect(r.rows.count == 14)
        // alice: Acme open in main_contract (Zeta, Iota won). bob: Eta (bau), Beta (poc), Gamma (evaluation, reassigned).
        #expect(row(r, .mainContract, group: "alice").count == 1)
        #expect(r.closed.first { $0.group == "alice" && $0.outcome == .won }?.count == 2)
        #expect(row(r, .evaluation, group: "bob").total == totals("50000.00 EUR"))
        #expect(row(r, .evaluation, group: "alice").count == 0)
        #expect(row(r, .businessAsUsual, group: "bob").total == totals("7000.00 USD"))
    }

    @Test func groupedByManagerAndRegion() {
        let byManager = PipelineReport(data: fixture.live(), groupBy: .manager)
        // Open: carol has Acme, Beta; dave has Gamma, Eta (Zeta and Iota are won).
        #expect(byManager.rows.filter { $0.group == "carol" }.map(\.count).reduce(0, +) == 2)
        #expect(byManager.rows.filter { $0.group == "dave" }.map(\.count).reduce(0, +) == 2)
        let byRegion = PipelineReport(data: fixture.live(), groupBy: .region)
        #expect(Set(byRegion.rows.compactMap(\.group)) == ["APAC", "EMEA", "NA"])
        #expect(row(byRegion, .mainContract, group: "NA").count == 0)
        #expect(byRegion.closed.first { $0.group == "NA" && $0.outcome == .won }?.value == totals("70000.00 USD"))
    }

    @Test func customProbabilities() throws {
        let p = try StageProbabilities.parse("main_contract=50, bau=0")
        let r = PipelineReport(data: fixture.live(), probabilities: p)
        // Acme 120000 at 50% = 60000; the two won deals are not weighted.
        #expect(row(r, .mainContract).weighted == totals("60000.00 USD"))
        #expect(row(r, .businessAsUsual).weighted == totals("0.00 USD"))
        #expect(throws: DomainError.self) { try StageProbabilities.parse("poc=101") }
        #expect(throws: DomainError.self) { try StageProbabilities.parse("nowhere=5") }
        #expect(throws: DomainError.self) { try StageProbabilities.parse("poc") }
    }

    @Test func asOfMidFebruaryByHand() {
        // End of 2026-02-12: Acme in pis valued 100000 (no contract yet), Beta back in bau, Gamma still
        // alice's, Delta in kpi and not yet lost, Zeta won, Eta 8000, Theta deleted, Iota not yet made.
        let data = PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-02-12"))
        let r = PipelineReport(data: data, groupBy: nil)
        #expect(r.count == 5 && r.lostCount == 1 && r.wonCount == 1)
        #expect(row(r, .businessAsUsual).total == totals("8000.00 USD", "5000000 JPY"))
        #expect(row(r, .businessAsUsual).weighted == totals("400.00 USD", "250000 JPY"))
        #expect(row(r, .keyAgreement).weighted == totals("4000.00 USD"))
        #expect(row(r, .preInstallation).weighted == totals("35000.00 USD"))
        #expect(row(r, .evaluation).weighted == totals("25000.00 EUR"))
        #expect(row(r, .mainContract).weighted.isEmpty && r.won == totals("30000.00 USD"))
        let byOwner = PipelineReport(data: data, groupBy: .owner)
        #expect(row(byOwner, .evaluation, group: "alice").count == 1)
    }

    @Test func deletedDealCountsBeforeItsDeletion() {
        let data = PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-01-31"))
        #expect(data.deal(fixture.d8) != nil)
        #expect(PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-02-01")).deal(fixture.d8) == nil)
        #expect(fixture.live().deal(fixture.d8) == nil)
    }

    @Test func emptyPipeline() {
        let data = PipelineData(history: [Change]())
        let r = PipelineReport(data: data)
        #expect(r.count == 0 && r.total.isEmpty && r.weighted.isEmpty)
        #expect(r.rows.count == 7 && r.rows.allSatisfy { $0.count == 0 })
        for name in ReportName.allCases {
            let table = Reports.run(name, data: data)
            #expect(!table.text().isEmpty)
            #expect(!table.sections.isEmpty)
        }
    }

    @Test func singleDealThroughEveryReport() throws {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice
        let id = b.deal("Solo", at: HistoryBuilder.ms("2026-01-01"), by: a, ["owner": .text("alice"), "value": usd(1_234, cents: 56),
                                                                             "expected_close": date("2026-03-15")])
        b.stage(id, .proofOfConcept, at: HistoryBuilder.ms("2026-01-11"), by: a)
        let data = PipelineData(history: b.changes, now: HistoryBuilder.ms("2026-01-21"))
        let pipeline = PipelineReport(data: data)
        #expect(row(pipeline, .proofOfConcept).count == 1 && pipeline.count == 1)
        #expect(pipeline.total == totals("1234.56 USD") && pipeline.weighted == totals("123.46 USD"))
        #expect(ForecastReport(data: data).months.map(\.month) == ["2026-03"])
        #expect(ConversionReport(data: data).rows.map(\.reached) == [1, 1, 0, 0, 0, 0, 0])
        let aging = AgingReport(data: data)
        #expect(aging.stages[0].medianDays == 10 && aging.stages[1].medianDays == 10)
        #expect(LostReport(data: data).deals.isEmpty && AnomaliesReport(data: data).problems.isEmpty && data.conflicts.isEmpty)
        for name in ReportName.allCases {
            let table = Reports.run(name, data: data)
            #expect(!table.text().isEmpty && !table.csv().isEmpty)
            #expect((try? JSONSerialization.jsonObject(with: Data(table.json().utf8))) != nil, "\(name) JSON")
        }
    }

    @Test func singleDealWithoutValue() {
        var b = HistoryBuilder()
        let id = b.deal("Solo", at: HistoryBuilder.ms("2026-01-01"), by: HistoryBuilder.alice, stage: .keyAgreement)
        let data = PipelineData(history: b.changes)
        let r = PipelineReport(data: data)
        #expect(r.count == 1 && r.unvalued == 1 && r.total.isEmpty)
        #expect(row(r, .keyAgreement).count == 1)
        #expect(data.deal(id)?.title == "Solo")
        #expect(r.table(asOf: nil).notes.contains { $0.contains("no value") })
    }
}

@Suite struct PipelineTotalsTests {
    @Test func theOpenTotalAddsUpTheRowsAsShownWhenGrouped() {
        var b = HistoryBuilder()
        let t = HistoryBuilder.ms("2026-01-01")
        // Two owners with 0.10 USD each in bau at 5%: each row weighs 0.005 -> 0.01 (half away from zero).
        _ = b.deal("One", at: t, by: HistoryBuilder.alice, ["owner": .text("ann"), "value": usd(0, cents: 10)])
        _ = b.deal("Two", at: t, by: HistoryBuilder.alice, ["owner": .text("ben"), "value": usd(0, cents: 10)])
        let r = PipelineReport(data: PipelineData(history: b.changes), groupBy: .owner)
        #expect(r.rows.filter { $0.stage == .businessAsUsual }.map(\.weighted) == [totals("0.01 USD"), totals("0.01 USD")])
        #expect(r.weighted == totals("0.02 USD") && r.total == totals("0.20 USD"))
    }
}
