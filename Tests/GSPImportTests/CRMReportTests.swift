import Testing
import GSPCore
import GSPPipeline

/// The faults a manager found on the public CRM data, checked on that data: the expected
/// figures are counted here from the raw CSV lines, not by the reports' code. Called by
/// `ReplicaImportTests.crmImportFollowsTheSourceTimelineAndIsIdempotent`, so the data is
/// imported once.
enum CRMReportChecks {
    /// - Parameter rows: the CSV's data lines, split into fields.
    static func check(_ history: [Change], rows: [[String]]) {
        let won = rows.filter { $0[4] == "Won" }
        let wonCents = won.map { Int64($0[7])! * 100 }.reduce(0, +)
        let data = PipelineData(history: history)

        // Pipeline: won deals are closed value, not main_contract at 90%.
        let pipeline = PipelineReport(data: data)
        #expect(pipeline.wonCount == won.count)
        #expect(pipeline.won.byCurrency == ["USD": wonCents])
        #expect(pipeline.rows.first { $0.stage == .mainContract }?.count == 0)
        #expect(pipeline.lostCount == rows.filter { $0[4] == "Lost" }.count)

        // Aging: a won deal's main_contract stay ends when it was won (the same day), not today.
        let main = AgingReport(data: data).stages.first { $0.stage == .mainContract }!
        #expect(main.stays == won.count && main.medianDays.map { $0 < 1 } == true)

        // Anomalies: one overridden line per won deal, each gate once.
        let anomalies = AnomaliesReport(data: data)
        #expect(anomalies.overridden.count == won.count)
        #expect(anomalies.overridden.allSatisfy { $0.gates == [.preInstallation, .evaluation, .mainContract] })

        // Conversion: nobody held kpi, pis or evaluation, so in order is n/a there, not 100%.
        let conversion = ConversionReport(data: data)
        for stage in [Stage.keyAgreement, .preInstallation, .evaluation] {
            let row = conversion.rows.first { $0.stage == stage }!
            #expect(row.held == 0 && row.heldRate == nil && row.skipped == row.reached, "\(stage)")
        }
    }
}
