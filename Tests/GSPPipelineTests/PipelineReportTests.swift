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
        // Lost d4, d5 and deleted d8 are out; 6 deals remain.
        #expect(r.rows.map(\.stage) == Stage.allCases)
        #expect(r.count == 6)
        #expect(r.lostCount == 2)
        // bau: Eta 7000 USD (bob's later concurrent edit won) at 5%.
        #expect(row(r, .businessAsUsual) == .init(group: nil, stage: .businessAsUsual, count: 1,
                                                   total: totals("7000.00 USD"), weighted: totals("350.00 USD")))
        // poc: Beta 5000000 JPY at 10%.
        #expect(row(r, .proofOfConcept).total == totals("5000000 JPY"))
        #expect(row(r, .proofOfConcept).weighted == totals("500000 JPY"))
        #expect(row(r, .keyAgreement).count == 0 && row(r, .preInstallation).count == 0 && row(r, .launch).count == 0)
        // evaluation: Gamma 50000 EUR at 50%.
        #expect(row(r, .evaluation).weighted == totals("25000.00 EUR"))
        // main_contract: Acme open 120000 (royalty 2.00 x 60000) at 90% = 108000, Zeta won 30000 (contract
        // value, not the 25000 estimate) and Iota won 40000 at 100%.
        #expect(row(r, .mainContract).count == 3)
        #expect(row(r, .mainContract).total == totals("190000.00 USD"))
        #expect(row(r, .mainContract).weighted == totals("178000.00 USD"))
        // Currencies stay apart in the totals.
        #expect(r.total == totals("197000.00 USD", "50000.00 EUR", "5000000 JPY"))
        #expect(r.weighted == totals("178350.00 USD", "25000.00 EUR", "500000 JPY"))
    }

    @Test func groupedByOwnerAfterReassignment() {
        let r = PipelineReport(data: fixture.live(), groupBy: .owner)
        #expect(Set(r.rows.compactMap(\.group)) == ["alice", "bob"])
        #expect(r.rows.count == 14)
        // alice: Acme, Zeta, Iota in main_contract. bob: Eta (bau), Beta (poc), Gamma (evaluation, reassigned).
        #expect(row(r, .mainContract, group: "alice").count == 3)
        #expect(row(r, .evaluation, group: "bob").total == totals("50000.00 EUR"))
        #expect(row(r, .evaluation, group: "alice").count == 0)
        #expect(row(r, .businessAsUsual, group: "bob").total == totals("7000.00 USD"))
    }

    @Test func groupedByManagerAndRegion() {
        let byManager = PipelineReport(data: fixture.live(), groupBy: .manager)
        // carol: Acme, Beta. dave: Gamma, Zeta, Eta, Iota.
        #expect(byManager.rows.filter { $0.group == "carol" }.map(\.count).reduce(0, +) == 2)
        #expect(byManager.rows.filter { $0.group == "dave" }.map(\.count).reduce(0, +) == 4)
        let byRegion = PipelineReport(data: fixture.live(), groupBy: .region)
        #expect(Set(byRegion.rows.compactMap(\.group)) == ["APAC", "EMEA", "NA"])
        #expect(row(byRegion, .mainContract, group: "NA").total == totals("70000.00 USD"))
    }

    @Test func customProbabilities() throws {
        let p = try StageProbabilities.parse("main_contract=50, bau=0")
        let r = PipelineReport(data: fixture.live(), probabilities: p)
        // Acme 120000 at 50% = 60000, plus the two won deals at 100%.
        #expect(row(r, .mainContract).weighted == totals("130000.00 USD"))
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
        #expect(r.count == 6 && r.lostCount == 1)
        #expect(row(r, .businessAsUsual).total == totals("8000.00 USD", "5000000 JPY"))
        #expect(row(r, .businessAsUsual).weighted == totals("400.00 USD", "250000 JPY"))
        #expect(row(r, .keyAgreement).weighted == totals("4000.00 USD"))
        #expect(row(r, .preInstallation).weighted == totals("35000.00 USD"))
        #expect(row(r, .evaluation).weighted == totals("25000.00 EUR"))
        #expect(row(r, .mainContract).weighted == totals("30000.00 USD"))
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
