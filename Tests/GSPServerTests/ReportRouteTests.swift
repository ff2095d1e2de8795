import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

@Suite("HTTP reports and dashboard")
struct ReportRouteTests {
    /// Two open deals of alice's (one in poc worth 450.00 USD) and a lost one of bob's.
    func seeded(_ backend: StoreBackend = .sqlite) throws -> ServerFixture {
        let fixture = try ServerFixture(backend)
        var a = Writer(), b = Writer()
        let d1 = RowID(), d2 = RowID(), d3 = RowID()
        try fixture.store.push(a.deal(d1, owner: "alice", title: "<script>alert(1)</script>")
                               + [a.change("deals", d1, "stage", .text("poc")),
                                  a.change("deals", d1, "value", .money(Money(minorUnits: 45_000, currency: "USD")))]
                               + a.deal(d2, owner: "alice", title: "Second"), as: alice, node: a.node)
        try fixture.store.push(b.deal(d3, owner: "bob", title: "Gone") + [b.change("deals", d3, "outcome", .text("lost"))], as: bob, node: b.node)
        // The manager, offline, wrote the hostile deal's value before alice's and without seeing it:
        // a conflict (alice's later value stays).
        var m = Writer()
        try fixture.store.push([m.change("deals", d1, "value", .money(Money(minorUnits: 50_000, currency: "USD")))], as: manager, node: m.node)
        return fixture
    }

    func get(_ fixture: ServerFixture, _ path: String, token: String?, accept: String? = nil, cookie: String? = nil) async throws -> (Int, String, RawResponse) {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let accept { headers["Accept"] = accept }
        if let cookie { headers["Cookie"] = cookie }
        let answer = try await TestHTTP.send("GET", fixture.url(path).absoluteString, headers: headers)
        return (answer.status, answer.text, answer)
    }

    @Test func managersGetJSONAndCSVRepsGet403() async throws {
        let fixture = try seeded()
        let (status, json, _) = try await get(fixture, "/v1/reports/pipeline", token: fixture.tokens["meg"])
        #expect(status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object != nil)
        #expect(json.contains("450.00"))
        let (csvStatus, csv, response) = try await get(fixture, "/v1/reports/pipeline", token: fixture.tokens["meg"], accept: "text/csv")
        #expect(csvStatus == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.contains("poc"))
        #expect(try await get(fixture, "/v1/reports/pipeline", token: fixture.tokens["alice"]).0 == 403)
        #expect(try await get(fixture, "/v1/reports/pipeline", token: nil).0 == 401)
    }

    /// The route keeps the history in memory between requests: what is pushed after one report
    /// shows in the next, and a restore (a new epoch) replaces everything it held.
    @Test(arguments: StoreBackend.available) func reportsFollowNewPushesAndRestores(_ backend: StoreBackend) async throws {
        let fixture = try seeded(backend)
        let meg = fixture.tokens["meg"]
        #expect(try await get(fixture, "/v1/reports/pipeline", token: meg).1.contains("450.00"))
        let backup = fixture.storeFixture.directory.path("before.backup")
        try fixture.store.backup(to: backup)

        var a = Writer()
        let late = RowID()
        try fixture.store.push(a.deal(late, owner: "alice", title: "Late") + [a.change("deals", late, "stage", .text("poc")),
                               a.change("deals", late, "value", .money(Money(minorUnits: 77_700, currency: "EUR")))], as: alice, node: a.node)
        let after = try await get(fixture, "/v1/reports/pipeline", token: meg).1
        #expect(after.contains("777.00") && after.contains("450.00"), "the pushed deal is missing: \(after)")
        #expect(try await get(fixture, "/dashboard", token: meg).1.contains("777.00"), "the dashboard shares the same history")

        _ = try fixture.store.restore(from: backup)
        let restored = try await get(fixture, "/v1/reports/pipeline", token: meg).1
        #expect(!restored.contains("777.00") && restored.contains("450.00"), "the report still shows what the restore removed: \(restored)")
    }

    @Test func everyReportAnswersManagersAndRefusesReps() async throws {
        let fixture = try seeded()
        for name in ["pipeline", "forecast", "conversion", "aging", "pis", "lost", "anomalies", "conflicts"] {
            let groupable = ["pipeline", "forecast"].contains(name)
            if !groupable {
                // A grouping the report would not apply is refused, naming the reports that take it.
                let (status, body, _) = try await get(fixture, "/v1/reports/\(name)?group_by=owner", token: fixture.tokens["meg"])
                #expect(status == 400 && body.contains("pipeline and forecast"), "\(name): \(body)")
            }
            for query in ["", "?as_of=2020-01-01"] + (groupable ? ["?group_by=owner"] : []) {
                let path = "/v1/reports/\(name)\(query)"
                let (status, json, _) = try await get(fixture, path, token: fixture.tokens["meg"])
                #expect(status == 200, "\(path)")
                #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "\(path) is not JSON")
                #expect(try await get(fixture, path, token: fixture.tokens["meg"], accept: "text/csv").0 == 200)
                for rep in ["alice", "bob"] {
                    let (refused, body, _) = try await get(fixture, path, token: fixture.tokens[rep], accept: "text/csv")
                    #expect(refused == 403, "\(rep) \(path)")
                    #expect(!body.contains("Second") && !body.contains("Gone"), "a refusal leaks no data")
                }
            }
        }
        for path in ["/dashboard", "/dashboard?as_of=2020-01-01"] {
            let (status, page, _) = try await get(fixture, path, token: fixture.tokens["bob"])
            #expect(status == 403 && !page.contains("Second"), "\(path)")
        }
        let conflicts = try await get(fixture, "/v1/reports/conflicts", token: fixture.tokens["meg"], accept: "text/csv").1
        #expect(conflicts.contains("meg") && conflicts.contains("alice"), "both writers of the concurrent edit")
    }

    @Test func badReportNamesAndOptionsAreClearErrors() async throws {
        let fixture = try seeded()
        let (s1, body1, _) = try await get(fixture, "/v1/reports/funnel", token: fixture.tokens["meg"])
        #expect(s1 == 404 && body1.contains("unknown report 'funnel'"))
        let (s2, body2, _) = try await get(fixture, "/v1/reports/pipeline?as_of=2026-02-30", token: fixture.tokens["meg"])
        #expect(s2 == 400 && body2.contains("2026-02-30"))
        #expect(try await get(fixture, "/v1/reports/pipeline?group_by=color", token: fixture.tokens["meg"]).0 == 400)
    }

    @Test func asOfBeforeAnyChangeIsAnEmptyPipeline() async throws {
        let fixture = try seeded()
        let (status, json, _) = try await get(fixture, "/v1/reports/lost?as_of=2000-01-01", token: fixture.tokens["meg"])
        #expect(status == 200)
        #expect(!json.contains("Gone"))
        let live = try await get(fixture, "/v1/reports/lost", token: fixture.tokens["meg"]).1
        #expect(live.contains("Gone"))
    }

    @Test func dashboardEscapesTitlesAndNeedsAManager() async throws {
        let fixture = try seeded()
        let (status, page, response) = try await get(fixture, "/dashboard", token: fixture.tokens["meg"])
        #expect(status == 200)
        // The hostile title is on the page (the conflicts table names the deal), escaped.
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<script"))
        #expect(page.contains("<svg"))
        #expect(response.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        #expect(try await get(fixture, "/dashboard", token: fixture.tokens["alice"]).0 == 403)
        let anonymous = try await get(fixture, "/dashboard", token: nil)
        #expect(anonymous.0 == 200 && anonymous.1.contains("<form"))
    }

    @Test func loginSetsAnHttpOnlyCookieThatOpensTheDashboard() async throws {
        let fixture = try seeded()
        let token = try #require(fixture.tokens["meg"])
        let status = try await postLogin(fixture, token: token)
        #expect(status.code == 303)
        let cookie = try #require(status.cookie)
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        // Over plain HTTP a Secure cookie would never come back; behind a TLS proxy it must be Secure.
        #expect(!cookie.contains("Secure"))
        let proxied = try await postLogin(fixture, token: token, headers: ["X-Forwarded-Proto": "https"])
        #expect(proxied.cookie?.hasSuffix("; Secure") == true, "\(proxied.cookie ?? "no cookie")")
        let (code, page, _) = try await get(fixture, "/dashboard", token: nil, cookie: "gsp_token=\(token)")
        #expect(code == 200 && page.contains("<svg"))
        #expect(try await postLogin(fixture, token: "wrong").code == 401)
        #expect(try await postLogin(fixture, token: try #require(fixture.tokens["alice"])).code == 403)
    }

    @Test func aBadDashboardOptionShowsItsErrorToASignedInManager() async throws {
        let fixture = try seeded()
        let token = try #require(fixture.tokens["meg"])
        let (code, page, _) = try await get(fixture, "/dashboard?as_of=garbage", token: nil, cookie: "gsp_token=\(token)")
        #expect(code == 400)
        #expect(page.contains("garbage") && page.contains("class=\"error\""))
        // Still signed in: the as-of form, not the sign-in form.
        #expect(!page.contains("type=\"password\"") && page.contains("name=\"as_of\""))
        let grouped = try await get(fixture, "/dashboard?group_by=owner", token: token)
        #expect(grouped.0 == 200 && grouped.1.contains("<h2>Pipeline by owner</h2>") && grouped.1.contains("<h2>Forecast by owner</h2>"))
    }

    /// Posts the login form without following the redirect.
    func postLogin(_ fixture: ServerFixture, token: String, headers: [String: String] = [:]) async throws -> (code: Int, cookie: String?) {
        // A raw request never follows the redirect, so its Set-Cookie is seen.
        let answer = try await TestHTTP.send("POST", fixture.url("/dashboard/login").absoluteString,
                                             headers: headers.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 },
                                             body: Data("token=\(token)".utf8))
        return (answer.status, answer.headers["set-cookie"])
    }
}
