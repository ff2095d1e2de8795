import Testing
import GSPCore
@testable import GSPPipeline

@Suite struct AnomaliesTests {
    @Test func gatesBrokenByMergedData() {
        let fixture = Fixture()
        let r = AnomaliesReport(data: fixture.live())
        // Gamma jumped to evaluation: no agreed KPI (pis gate), no signed PIS, no engineer (evaluation gate).
        // Iota: bob's measured 40 beat alice's 55, so main_contract has a failed evaluation; and it is
        // won without a signed contract. Acme and Zeta met every gate; lost Delta is not checked.
        #expect(r.problems.map(\.deal) == [fixture.d3, fixture.d3, fixture.d3, fixture.d9, fixture.d9])
        #expect(r.problems.map(\.gate) == [.preInstallation, .evaluation, .evaluation, .mainContract, nil])
        #expect(r.problems[3].message.contains("missed"))
        #expect(r.problems[4].message == AnomaliesReport.wonWithoutSignedContract)
    }

    @Test func noAnomaliesBeforeTheConcurrentMeasurement() {
        let fixture = Fixture()
        let data = PipelineData(history: fixture.history, asOfMilliseconds: HistoryBuilder.ms("2026-03-15", hour: 9))
        // At 09:00 only alice's passing measurement exists: Iota is in main_contract legitimately.
        #expect(AnomaliesReport(data: data).problems.map(\.deal) == [fixture.d3, fixture.d3, fixture.d3])
    }
}

@Suite struct ConflictsTests {
    let fixture = Fixture()

    @Test func foundInHistory() {
        let data = fixture.live()
        #expect(data.conflicts.count == 2)
        let value = data.conflicts[0]
        #expect(value.table == "deals" && value.row == fixture.d7 && value.field == "value")
        #expect(value.winning.value == usd(7_000) && value.winning.user == "bob")
        #expect(value.losing.value == usd(9_000) && value.losing.user == "alice")
        #expect(value.detectedAt == HistoryBuilder.ms("2026-03-01", hour: 11))
        let measured = data.conflicts[1]
        #expect(measured.table == "kpis" && measured.field == "measured")
        #expect(measured.winning.value == .real(40) && measured.losing.value == .real(55))
        #expect(ConflictRecord.find(inHistory: fixture.history, users: HistoryBuilder.users) == data.conflicts)
        let table = Reports.run(.conflicts, data: data)
        #expect(table.sections[0].column("row") == [.text("Eta"), .text("Iota: KPI accuracy")])
        #expect(table.sections[0].column("kept_by") == [.text("bob"), .text("bob")])
    }

    @Test func arrivalOrderDoesNotChangeThePair() {
        // Deliver bob's 7000 before alice's 9000: alice's now loses instead of being replaced,
        // but the record names the same winner and loser.
        var history = fixture.history
        let alice = history.firstIndex { $0.field == "value" && $0.value == usd(9_000) }!
        let moved = history.remove(at: alice)
        let bob = history.firstIndex { $0.field == "value" && $0.value == usd(7_000) }!
        history.insert(moved, at: bob + 1)
        let found = ConflictRecord.find(inHistory: history)
        #expect(found.count == 2)
        #expect(found[0].winning.value == usd(7_000) && found[0].losing.value == usd(9_000))
        #expect(found[0].winning.user == nil)
    }

    @Test func sequentialEditsAreNoConflict() {
        var b = HistoryBuilder()
        let id = b.deal("Calm", at: HistoryBuilder.ms("2026-01-01"), by: HistoryBuilder.alice, ["value": usd(1)])
        b.write("deals", id, ["value": usd(2)], at: HistoryBuilder.ms("2026-01-02"), by: HistoryBuilder.bob)
        b.write("deals", id, ["value": usd(3)], at: HistoryBuilder.ms("2026-01-03"), by: HistoryBuilder.alice)
        let duplicated = b.changes + b.changes
        #expect(ConflictRecord.find(inHistory: duplicated).isEmpty)
        #expect(PipelineData(history: duplicated).conflicts.isEmpty)
    }

    @Test func callerRecordsAreRenderedAndFilteredByAsOf() {
        let side = ConflictRecord.Side(value: .text("=HYPERLINK(\"x\")"), hlc: HLC(milliseconds: 5), node: HistoryBuilder.alice, user: "alice")
        let early = ConflictRecord(table: "deals", row: fixture.d1, field: "title", winning: side, losing: side,
                                   detectedAt: HistoryBuilder.ms("2026-01-10"))
        var late = early
        late.detectedAt = HistoryBuilder.ms("2026-03-10")
        let data = PipelineData(history: fixture.history, asOf: HistoryBuilder.day("2026-02-01"), conflicts: [late, early])
        #expect(data.conflicts == [early])
        let table = Reports.run(.conflicts, data: data)
        #expect(table.sections[0].rows.count == 1)
        #expect(table.sections[0].column("row") == [.text("Acme phones")])
        #expect(table.csv().contains("'=HYPERLINK"))
    }
}

@Suite struct OverriddenGateTests {
    @Test func gateProblemsOfAnOverriddenMoveAreListedApartWithTheReason() {
        let deal = RowID()
        let node = NodeID()
        func change(_ field: String, _ value: Value, _ ms: UInt64) -> Change {
            Change(table: "deals", row: deal, field: field, value: value, hlc: HLC(milliseconds: ms), node: node)
        }
        let history = [change("title", .text("Imported"), 1), change("stage", .text("main_contract"), 2),
                       change("outcome", .text("open"), 2), change("stage_override", .text("imported from CRM"), 3)]
        let report = AnomaliesReport(data: PipelineData(history: history))
        #expect(report.problems.isEmpty)
        // main_contract without KPI, PIS contract, engineer or evaluation: 4 requirements of 3 gates,
        // one line for the deal, each gate once.
        #expect(report.overridden.count == 1)
        #expect(report.overridden.first?.gates == [.preInstallation, .evaluation, .mainContract])
        #expect(report.overridden.first?.missing == 4)
        #expect(report.overridden.first?.reason == "imported from CRM")
        let rows = Reports.run(.anomalies, data: PipelineData(history: history)).section("Overridden gates")!.rows
        #expect(rows == [[.text(String(deal.uuidString.lowercased().prefix(8))), .text("Imported"), .text(""), .text("main_contract"),
                          .text("pis, evaluation, main_contract"), .integer(4), .text("imported from CRM")]])
        let withoutOverride = AnomaliesReport(data: PipelineData(history: Array(history.dropLast())))
        #expect(withoutOverride.problems.count == 4 && withoutOverride.overridden.isEmpty)
    }
}
