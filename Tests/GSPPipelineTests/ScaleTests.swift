import Testing
import Foundation
import GSPCore
import GSPTestSupport
@testable import GSPPipeline

/// A larger seeded pipeline: the reports stay consistent with each other at scale.
/// (Speed is measured elsewhere; set GSP_PIPELINE_DEALS to grow it by hand.)
@Suite struct ScaleTests {
    static func history(deals: Int, seed: UInt64) -> [Change] {
        var rng = SeededGenerator(seed: seed)
        let node = NodeID(bytes: [7] + [UInt8](repeating: 0, count: 15))
        let start = UInt64(HistoryBuilder.ms("2025-01-01"))
        var changes: [Change] = []
        changes.reserveCapacity(deals * 13)
        for i in 0..<deals {
            let row = RowID(bytes: withUnsafeBytes(of: UInt64(i).bigEndian, Array.init) + [0xD, 0, 0, 0, 0, 0, 0, 0])
            var t = start + UInt64.random(in: 0..<300, using: &rng) * 86_400_000
            var stageSeen = HLC.zero
            func put(_ field: String, _ value: Value) {
                let hlc = HLC(milliseconds: t)
                // Each stage move saw the one before it: a history without conflicts.
                changes.append(Change(table: "deals", row: row, field: field, value: value, hlc: hlc, node: node,
                                      prev: field == "stage" ? stageSeen : .zero))
                if field == "stage" { stageSeen = hlc }
                t += 1
            }
            let stage = Stage.allCases[Int.random(in: 0..<7, using: &rng)]
            put("title", .text("Deal \(i)"))
            put("owner", .text("rep\(i % 40)"))
            put("region", .text(["EMEA", "APAC", "NA"][i % 3]))
            put("manager", .text("mgr\(i % 5)"))
            put("value", .money(Money(minorUnits: Int64.random(in: 1...10_000_000, using: &rng), currency: i % 4 == 0 ? "EUR" : "USD")))
            put("expected_close", .date(Day(year: 2026, month: 1 + i % 12, day: 1)))
            put("outcome", .text(i % 10 == 0 ? "lost" : "open"))
            put("account", .text("Account \(i % 1000)"))
            put("product", .text("p"))
            put("stage", .text("bau"))
            for s in Stage.allCases.dropFirst() where s <= stage {
                t += UInt64.random(in: 1...30, using: &rng) * 86_400_000
                put("stage", .text(s.rawValue))
            }
        }
        return changes
    }

    @Test func reportsAgreeOnASeededPipeline() {
        let deals = ProcessInfo.processInfo.environment["GSP_PIPELINE_DEALS"].flatMap(Int.init) ?? 3_000
        let seed = TestSeed.derive(77)
        print("ScaleTests seed \(seed), \(deals) deals")
        let history = Self.history(deals: deals, seed: seed)
        let clock = ContinuousClock()
        let started = clock.now
        let data = PipelineData(history: history)
        let built = clock.now - started
        let pipeline = PipelineReport(data: data)
        let conversion = ConversionReport(data: data)
        let aging = AgingReport(data: data)
        print("ScaleTests built \(history.count) changes in \(built); reports in \(clock.now - started - built)")
        #expect(data.deals.count == deals)
        #expect(pipeline.count + pipeline.wonCount + pipeline.lostCount == deals)
        #expect(pipeline.lostCount == (deals + 9) / 10)
        // Every deal reached bau; the stage counts of the pipeline never exceed those who reached.
        #expect(conversion.rows[0].reached == deals)
        // Every tenth deal is marked lost before its first stage write: a stage entered after the close is not timed.
        #expect(aging.stages[0].stays == deals - pipeline.lostCount)
        #expect(data.conflicts.count == 0)
    }
}
