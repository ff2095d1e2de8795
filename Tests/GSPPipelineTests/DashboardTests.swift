import Testing
import GSPCore
@testable import GSPPipeline

@Suite struct DashboardTests {
    @Test func escapesUserStringsEverywhere() {
        var b = HistoryBuilder()
        let hostile = "<script>alert(1)</script>"
        let id = b.deal(hostile, at: HistoryBuilder.ms("2026-01-01"), by: HistoryBuilder.alice,
                        ["owner": .text("o'neil & \"co\""), "value": usd(10)])
        // bob overwrites the value without having seen it: a conflict naming bob's (hostile) user name.
        b.write("deals", id, ["value": usd(20)], at: HistoryBuilder.ms("2026-01-02"), by: HistoryBuilder.bob, prev: .zero)
        let data = PipelineData(history: b.changes, now: HistoryBuilder.ms("2026-03-01"),
                                users: [HistoryBuilder.bob: "<img src=x onerror=alert(2)>"])
        let html = Dashboard.render(data: data, title: "Team <b>")
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("Team <b>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<td>&lt;img src=x onerror=alert(2)&gt;</td>"))
        #expect(html.contains("Team &lt;b&gt;"))
        #expect(Dashboard.escape("o'neil & \"co\"") == "o&#39;neil &amp; &quot;co&quot;")
    }

    @Test func selfContainedPageWithFunnelAndTables() {
        let fixture = Fixture()
        let html = Dashboard.render(data: fixture.live())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
        // Seven bars, one per stage, each labelled with its count and value.
        #expect(html.components(separatedBy: "<rect ").count - 1 == 7)
        #expect(html.contains("1 deal · 120000.00 USD"))
        #expect(html.contains("1 deal · 5000000 JPY"))
        #expect(html.contains("0 deals · -"))
        for title in ["Forecast", "Conversion", "Aging", "Conflicts"] {
            #expect(html.contains("<h2>\(title)</h2>"))
        }
        #expect(html.contains("live, at 2026-04-01 00:00 UTC"))
    }

    @Test func amountsInSeveralCurrenciesGoOnePerLine() {
        let html = Dashboard.render(data: Fixture().live())
        // The open pipeline's total value row: three currencies, one per line, escaped each.
        #expect(html.contains("<td class=\"num\">50000.00 EUR<br>5000000 JPY<br>127000.00 USD</td>"))
    }

    @Test func emptyDashboard() {
        let html = Dashboard.render(data: PipelineData(history: [Change]()))
        #expect(html.components(separatedBy: "<rect ").count - 1 == 7)
        #expect(html.contains("None."))
    }

    @Test func loginPagePostsATokenAndEscapesTheError() {
        let page = Dashboard.loginPage(error: "bad token <x>")
        #expect(page.contains("<form method=\"post\" action=\"/dashboard/login\">"))
        #expect(page.contains("name=\"token\" type=\"password\""))
        #expect(page.contains("bad token &lt;x&gt;"))
        #expect(!Dashboard.loginPage().contains("class=\"error\""))
    }
}
