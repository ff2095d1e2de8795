import Foundation
import Testing
import GSPCore
@testable import GSPPipeline

/// Two deals worth half of what 64 bits hold: their sum must not wrap into a negative total
/// (nor trap and take gsp-server down); it is shown as over the limit, in every output.
@Suite struct MoneyOverflowTests {
    static let half = Int64.max / 2 + 1

    @Test func sumsPastSixtyFourBitsAreShownAsOverNeverWrapped() throws {
        var b = HistoryBuilder()
        let t = HistoryBuilder.ms("2026-01-01")
        for title in ["Huge A", "Huge B"] {
            _ = b.deal(title, at: t, by: HistoryBuilder.alice, ["value": .money(Money(minorUnits: Self.half, currency: "USD")),
                                                                "expected_close": date("2026-05-01")])
        }
        _ = b.deal("Small", at: t, by: HistoryBuilder.alice, ["value": eur(5)])
        let data = PipelineData(history: b.changes)
        let report = PipelineReport(data: data)
        let bau = report.rows[0]
        #expect(bau.total.byCurrency["USD"] == .max && bau.total.overflowed == ["USD"])
        #expect(bau.total.byCurrency["EUR"] == 500)
        #expect(bau.weighted.overflowed == ["USD"] && bau.weighted.byCurrency["USD"]! > 0)
        #expect(report.total.overflowed == ["USD"])

        let table = Reports.run(.pipeline, data: data)
        #expect(table.text().contains("over 92233720368547758.07 USD"))
        #expect(!table.text().contains("-92233720368547758"))
        let json = try JSONSerialization.jsonObject(with: Data(table.json().utf8)) as? [String: Any]
        #expect(json != nil)
        #expect(table.json().contains("\"overflow\":true"))
        #expect(Reports.run(.forecast, data: data).text().contains("over "))
        #expect(Dashboard.render(data: data).contains("over 92233720368547758.07 USD"))
    }

    @Test func exactSumsStayExact() {
        var t = MoneyTotals()
        t.add(Money(minorUnits: .max - 1, currency: "USD"))
        t.add(Money(minorUnits: 1, currency: "USD"))
        #expect(t.byCurrency["USD"] == .max && t.overflowed.isEmpty)
        t.add(Money(minorUnits: 1, currency: "USD"))
        #expect(t.overflowed == ["USD"] && t.byCurrency["USD"] == .max)
        t.add(Money(minorUnits: -5, currency: "USD"))
        #expect(t.byCurrency["USD"] == .max, "an overflowed sum stays a bound")
    }
}
