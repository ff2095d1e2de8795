import Testing
import GSPCore
@testable import GSPPipeline

/// A report as of a past moment must equal the same report over only the changes made by then.
@Suite struct AsOfTests {
    let fixture = Fixture()

    static let dates = stride(from: 0, through: 95, by: 5).map { Day(year: 2026, month: 1, day: 1).adding(days: $0) }

    @Test(arguments: dates)
    func asOfEqualsHistoryCutAtThatDay(day: Day) {
        let cutoff = day.endMilliseconds
        let past = PipelineData(history: fixture.history, asOf: day, users: HistoryBuilder.users)
        let cut = PipelineData(history: fixture.history.filter { Int64($0.hlc.milliseconds) <= cutoff },
                               now: cutoff, users: HistoryBuilder.users)
        #expect(past.deals == cut.deals)
        #expect(past.stageHistory == cut.stageHistory)
        #expect(past.conflicts == cut.conflicts)
        for name in ReportName.allCases {
            for groupBy in [nil, GroupBy.owner] {
                let options = ReportOptions(groupBy: groupBy)
                let a = Reports.run(name, data: past, options: options), b = Reports.run(name, data: cut, options: options)
                #expect(a.sections == b.sections, "\(name) as of \(day)")
                #expect(a.asOf == cutoff && b.asOf == nil)
            }
        }
    }

    @Test func cutoffIncludesTheWholeDay() {
        // Eta's concurrent edits are on 03-01 at 10:00 and 11:00.
        let before = PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-02-28"))
        let on = PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-03-01"))
        #expect(before.deal(fixture.d7)!["value"] == usd(8_000))
        #expect(on.deal(fixture.d7)!["value"] == usd(7_000))
        let mid = PipelineData(history: fixture.history, asOfMilliseconds: HistoryBuilder.ms("2026-03-01", hour: 10))
        #expect(mid.deal(fixture.d7)!["value"] == usd(9_000))
        #expect(mid.conflicts.isEmpty && on.conflicts.count == 1)
    }

    @Test func optionsCarryTheAsOfDay() {
        let options = ReportOptions(asOf: HistoryBuilder.day("2026-02-12"))
        let data = PipelineData(history: fixture.history, options: options)
        #expect(data.asOf == HistoryBuilder.day("2026-02-12").endMilliseconds)
        #expect(data.moment == data.asOf)
        #expect(Reports.run(.pipeline, data: data, options: options).text().contains("as of 2026-02-12 23:59 UTC"))
    }

    @Test func liveMomentDefaultsToTheLatestChange() {
        let data = PipelineData(history: fixture.history)
        #expect(data.moment == HistoryBuilder.ms("2026-03-20"))
    }
}

extension AsOfTests {
    @Test func nilAsOfIsLive() {
        let day: Day? = nil
        let a = PipelineData(history: fixture.history, asOf: day, now: Fixture.now)
        let b = PipelineData(history: fixture.history, asOfMilliseconds: nil, now: Fixture.now)
        #expect(a.asOf == nil && a.deals == b.deals && a.moment == Fixture.now)
    }
}

@Suite struct ReplicaNoteTests {
    @Test func historyReportsOnAReplicaSayWhatTheyCover() {
        #expect(ReportName.conflicts.replicaRefusal?.contains("recorded by the server") == true)
        #expect(ReportName.allCases.filter { $0.replicaRefusal != nil } == [.conflicts])
        let live = ReportOptions(), past = ReportOptions(asOf: HistoryBuilder.day("2026-02-12"))
        #expect(ReportName.allCases.filter { $0.readsHistory(live) } == [.conversion, .aging, .anomalies])
        #expect(ReportName.allCases.allSatisfy { $0.readsHistory(past) })
        #expect(ReportName.pipeline.replicaNotes(live).count == 1)
        #expect(ReportName.aging.replicaNotes(live).last?.contains("only the history this replica holds") == true)
        #expect(ReportName.pipeline.replicaNotes(past).count == 2)
    }

    @Test func anOptionIsRefusedWhereItWouldBeIgnored() throws {
        try ReportName.pipeline.check([.groupBy], spelling: .commandLine)
        try ReportName.forecast.check([.groupBy, .probabilities], spelling: .commandLine)
        try ReportName.aging.check([.stalledDays, .asOf], spelling: .query)
        for name in ReportName.allCases where name != .pipeline && name != .forecast {
            #expect(throws: DomainError.self) { try name.check([.groupBy], spelling: .commandLine) }
            try name.check([], spelling: .commandLine)
            try name.check([.asOf], spelling: .query)
        }
        #expect(throws: DomainError("--stalled-days works with the aging report (and the dashboard), not with pipeline")) {
            try ReportName.pipeline.check([.stalledDays], spelling: .commandLine)
        }
        #expect(throws: DomainError("probabilities works with the pipeline and forecast reports (and the dashboard), not with lost")) {
            try ReportName.lost.check([.probabilities], spelling: .query)
        }
        // The forecast by owner: alice has Acme (06), Iota and Zeta; bob has Beta (05), Gamma and Eta (no date).
        let r = ForecastReport(data: Fixture().live(), groupBy: .owner)
        #expect(r.months.map { "\($0.group!) \($0.month ?? "-") \($0.count)" }
                == ["alice 2026-02 1", "alice 2026-06 1", "alice - 1", "bob 2026-05 1", "bob - 2"])
        #expect(r.models.map { "\($0.group!) \($0.model) \($0.count)" }
                == ["alice royalty 1", "alice otc 1", "bob royalty 0", "bob otc 0"])
    }
}
