import Testing
import GSPCore
@testable import GSPPipeline

/// The dashboard's own controls: the as-of form, grouping, a bounded stalled list, its error page.
@Suite struct DashboardOptionsTests {
    @Test func stalledDealsStopAtTwentyFiveWithACountOfTheRest() {
        var b = HistoryBuilder()
        // 30 quiet deals, made a day apart: Quiet 00 is the most idle.
        for i in 0..<30 {
            _ = b.deal("Quiet \(i < 10 ? "0" : "")\(i)", at: HistoryBuilder.ms("2026-01-01") + Int64(i) * 86_400_000, by: HistoryBuilder.alice)
        }
        let html = Dashboard.render(data: PipelineData(history: b.changes, now: HistoryBuilder.ms("2026-06-01")))
        #expect(html.components(separatedBy: "<td>Quiet ").count - 1 == 25)
        #expect(html.contains("<td>Quiet 00</td>") && html.contains("<td>Quiet 24</td>") && !html.contains("<td>Quiet 25</td>"))
        #expect(html.contains("and 5 more (see gsp report aging)"))
        // The full report still lists all 30.
        #expect(Reports.run(.aging, data: PipelineData(history: b.changes, now: HistoryBuilder.ms("2026-06-01"))).section("Stalled deals")!.rows.count == 30)
    }

    @Test func asOfIsAPlainGetForm() {
        let live = Dashboard.render(data: Fixture().live())
        #expect(live.contains("<form class=\"asof\" method=\"get\" action=\"/dashboard\">"))
        #expect(live.contains("name=\"as_of\" type=\"date\" value=\"\""))
        #expect(!live.contains("<script"))
        let options = ReportOptions(groupBy: .owner, asOf: HistoryBuilder.day("2026-02-12"))
        let past = Dashboard.render(data: PipelineData(history: Fixture().history, options: options), options: options)
        #expect(past.contains("value=\"2026-02-12\""))
        #expect(past.contains("<input type=\"hidden\" name=\"group_by\" value=\"owner\">"))
        #expect(past.contains("<h2>Pipeline by owner</h2>") && past.contains("<h2>Forecast by owner</h2>"))
    }

    @Test func problemPageShowsTheErrorEscapedWithoutTheSignInForm() {
        let page = Dashboard.problemPage(error: "malformed date 'x<y>'")
        #expect(page.contains("malformed date &#39;x&lt;y&gt;&#39;"))
        #expect(page.contains("name=\"as_of\"") && !page.contains("type=\"password\""))
    }
}
