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

/// Products past 64 bits (royalty fee x volume, PIS hours x rate) are shown as "over", never
/// dropped and never replaced by another figure.
@Suite struct MoneyProductOverflowTests {
    /// 10,000,000.00 USD x 10^12 units: 10^21 cents, past Int64.max (about 9.2 x 10^18).
    static func history() -> (changes: [Change], royalty: RowID, pis: RowID) {
        var b = HistoryBuilder()
        let t = HistoryBuilder.ms("2026-01-01")
        let royalty = b.deal("Oversized royalty", at: t, by: HistoryBuilder.alice, stage: .mainContract, [
            "value": usd(1_000), "expected_close": date("2026-05-01"), "contract_model": .text("royalty"),
            "contract_fee": usd(10_000_000), "contract_unit": .text("unit"), "contract_volume": .integer(1_000_000_000_000),
        ])
        // 10^12 minutes at 10^9 USD an hour: about 1.7 x 10^22 cents.
        let pis = b.deal("Long PIS", at: t, by: HistoryBuilder.alice, stage: .preInstallation, ["pis_rate": usd(1_000_000_000)])
        b.child("time_entries", of: pis, at: t, by: HistoryBuilder.alice, ["engineer": .text("Kim"), "date": date("2026-01-02"),
                                                                          "minutes": .integer(1_000_000_000_000)])
        return (b.changes, royalty, pis)
    }

    @Test func anOversizedRoyaltyIsAnOverflowInEveryReport() {
        let data = PipelineData(history: Self.history().changes)
        let forecast = ForecastReport(data: data)
        let royalty = forecast.models.first { $0.model == "royalty" }!
        #expect(royalty.count == 1)
        #expect(royalty.total.overflowed == ["USD"] && royalty.total.byCurrency["USD"] == .max)
        // Not the 1000 USD estimate in its place.
        let pipeline = PipelineReport(data: data)
        let main = pipeline.rows.first { $0.stage == .mainContract }!
        #expect(main.total.overflowed == ["USD"] && main.weighted.overflowed == ["USD"])
        #expect(pipeline.total.overflowed == ["USD"] && pipeline.weighted.overflowed == ["USD"])
        #expect(forecast.months.first { $0.month == "2026-05" }!.weighted.overflowed == ["USD"])
        #expect(Reports.run(.forecast, data: data).text().contains("over 92233720368547758.07 USD"))
        #expect(Reports.run(.forecast, data: data).csv().contains(",over 92233720368547758.07"))
    }

    @Test func anOversizedPISFeeIsAnOverflowNotAGap() {
        let (changes, _, pis) = Self.history()
        let r = PISReport(data: PipelineData(history: changes))
        #expect(r.deals.map(\.deal) == [pis] && r.deals[0].fee == nil)
        #expect(r.engineers.first?.fee.overflowed == ["USD"])
        #expect(r.months.first?.fee.overflowed == ["USD"])
        let table = r.table(asOf: nil)
        #expect(table.section("By deal")!.column("fee").map(\.text) == ["over 92233720368547758.07 USD"])
    }
}
