import Foundation
import Testing
import GSPCore
@testable import GSPPipeline

/// The CRM data skips stages (won deals jump from poc to main_contract): a stage nobody held
/// must not read as a plain 100% conversion.
@Suite struct ConversionSkippedStageTests {
    static func data() -> PipelineData {
        var b = HistoryBuilder()
        let a = HistoryBuilder.alice
        func t(_ day: Int) -> Int64 { HistoryBuilder.ms("2017-01-01") + Int64(day) * 86_400_000 }
        for i in 0..<3 {
            let id = b.deal("Won \(i)", at: t(0), by: a)
            b.stage(id, .proofOfConcept, at: t(1), by: a)
            b.stage(id, .mainContract, at: t(2), by: a)
            b.write("deals", id, ["outcome": .text("won")], at: t(3), by: a)
        }
        let open = b.deal("Open", at: t(0), by: a)
        b.stage(open, .proofOfConcept, at: t(1), by: a)
        b.stage(open, .keyAgreement, at: t(2), by: a)
        return PipelineData(history: b.changes)
    }

    @Test func everReachedCountsSkippedStagesAndSaysSo() {
        let r = ConversionReport(data: Self.data())
        // Ever reached: every deal reached bau, poc and kpi (3 by skipping it); the won 3 reached pis..main_contract.
        #expect(r.rows.map(\.reached) == [4, 4, 4, 3, 3, 3, 0])
        #expect(r.rows.map(\.held) == [4, 4, 1, 0, 0, 3, 0])
        #expect(r.rows.map(\.skipped) == [0, 0, 3, 3, 3, 0, 0])
        // In order: bau->poc 4 of 4, poc->kpi 1 of 4, kpi->pis 0 of 1, pis and evaluation held by none.
        #expect(r.rows.map(\.heldThenNext) == [4, 1, 0, 0, 0, 0, 0])
        #expect(r.rows[3].heldRate == nil && r.rows[4].heldRate == nil)
    }

    @Test func ratesShowTheirCountsAndNAForAnEmptyBase() throws {
        let table = ConversionReport(data: Self.data()).table(asOf: nil)
        let section = table.sections[0]
        #expect(section.column("held_rate").map(\.text) == ["100.0% (4/4)", "25.0% (1/4)", "0.0% (0/1)", "n/a", "n/a", "0.0% (0/3)", ""])
        #expect(section.column("reached_rate").map(\.text) == ["100.0% (4/4)", "100.0% (4/4)", "75.0% (3/4)", "100.0% (3/3)", "100.0% (3/3)", "0.0% (0/3)", ""])
        #expect(section.column("skipped").map(\.text) == ["0", "0", "3", "3", "3", "0", "0"])
        #expect(table.text().contains("n/a"))
        // JSON keeps a number (or null for n/a); the counts have their own keys.
        let json = try JSONSerialization.jsonObject(with: Data(table.json().utf8)) as! [String: Any]
        let rows = (json["sections"] as! [[String: Any]])[0]["rows"] as! [[String: Any]]
        #expect(rows[3]["held_rate"] is NSNull)
        #expect((rows[2]["reached_rate"] as? NSNumber)?.doubleValue == 75)
    }
}
