import Testing
import GSPCore
@testable import GSPPipeline

/// Found by adversarial testing: `GET /v1/reports/aging?stalled_days=9223372036854775807`
/// (or `gsp report aging --stalled-days` with a huge N) trapped on an arithmetic overflow and
/// took the whole gsp-server down.
@Suite struct BreakerAgingTests {
    let fixture = Fixture()

    @Test(arguments: [Int.max, Int.max / 1000, 106_751_991_167_301])
    func aHugeStalledThresholdMeansNothingIsStalled(days: Int) {
        let r = AgingReport(data: fixture.live(), stalledDays: days)
        #expect(r.stalled.isEmpty)
    }
}
