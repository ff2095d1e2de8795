import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// Found by a new user's tryout: `GET /v1/conflicts?since=2030-01-01` (a date, as
/// `gsp-server conflicts --since` takes) and `?since=garbage` both returned every conflict, and
/// `GET /v1/reports/pipeline?asof=2026-01-01` (a misspelled `as_of`) returned the live report.
/// A query parameter a route does not read, or a value it cannot read, is refused with 400.
@Suite("Query parameters")
struct QueryParameterTests {
    /// A server whose store holds one conflict (at least), detected now.
    func withConflict() throws -> ServerFixture {
        let fixture = try ServerFixture()
        var a = Writer(), m = Writer()
        let deal = RowID()
        try fixture.store.push(a.deal(deal, owner: "alice", title: "Alice's"), as: alice, node: a.node)
        try fixture.store.push([m.change("deals", deal, "title", .text("Meg's"))], as: manager, node: m.node)
        #expect(try !fixture.store.conflicts(since: nil).isEmpty)
        return fixture
    }

    func get(_ fixture: ServerFixture, _ path: String, as user: String? = "meg", cookie: Bool = false) async throws -> (status: Int, body: String) {
        var headers: [String: String] = [:]
        if let user, let token = fixture.tokens[user] {
            if cookie { headers["Cookie"] = "gsp_token=\(token)" } else { headers["Authorization"] = "Bearer \(token)" }
        }
        let answer = try await TestHTTP.send("GET", fixture.url(path).absoluteString, headers: headers)
        return (answer.status, answer.text)
    }

    func conflictCount(_ body: String) throws -> Int {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [Any]).count
    }

    @Test func conflictsSinceTakesADateOrATimestamp() async throws {
        let fixture = try withConflict()
        let all = try fixture.store.conflicts(since: nil).count
        for (since, expected) in [("2030-01-01", 0), ("2030-01-01T00:00:00Z", 0), ("2000-01-01", all), ("2000-01-01T08:30:00Z", all)] {
            let (status, body) = try await get(fixture, "/v1/conflicts?since=\(since)")
            #expect(status == 200, "since=\(since): \(body)")
            #expect(try conflictCount(body) == expected, "since=\(since): \(body)")
        }
        #expect(try conflictCount(try await get(fixture, "/v1/conflicts").body) == all)
    }

    @Test func aMalformedSinceIs400NamingTheParameterAndTheForms() async throws {
        let fixture = try withConflict()
        for since in ["garbage", "31/01/2026", "2026-02-30", ""] {
            let (status, body) = try await get(fixture, "/v1/conflicts?since=\(since)")
            #expect(status == 400, "since=\(since): \(status) \(body)")
            #expect(body.contains("since") && body.contains("YYYY-MM-DD"), "since=\(since): \(body)")
            #expect(!body.contains("Meg's"), "a refusal lists no conflict")
        }
    }

    /// Every GET route that reads query parameters refuses one it does not know, naming it and
    /// the ones it takes; a route that takes none refuses any.
    @Test func anUnknownParameterIs400NamingItAndTheKnownOnes() async throws {
        let fixture = try withConflict()
        let cases: [(path: String, unknown: String, known: [String])] = [
            ("/v1/reports/pipeline?asof=2026-01-01", "asof", ["as_of", "group_by", "probabilities"]),
            ("/v1/reports/aging?stalled-days=10", "stalled-days", ["as_of", "stalled_days"]),
            ("/v1/reports/conflicts?as_of=2026-01-01&since=2026-01-01", "since", ["as_of"]),
            ("/v1/conflicts?sinse=2026-01-01", "sinse", ["since"]),
            ("/v1/whoami?verbose=1", "verbose", []),
        ]
        for (path, unknown, known) in cases {
            let (status, body) = try await get(fixture, path)
            #expect(status == 400, "\(path): \(status) \(body)")
            #expect(body.contains("'\(unknown)'"), "\(path): \(body)")
            for name in known { #expect(body.contains(name), "\(path) does not list \(name): \(body)") }
        }
        // The dashboard answers with its own page, to a signed-in manager.
        let (status, page) = try await get(fixture, "/dashboard?asof=2026-01-01", cookie: true)
        #expect(status == 400 && page.contains("asof") && page.contains("as_of") && page.contains("class=\"error\""), "\(page)")
        // A load balancer's probe may add its own query: the health check takes any.
        #expect(try await get(fixture, "/healthz?probe=1").status == 200)
        // Checked after the role: a rep still gets 403, not a lesson in parameters.
        #expect(try await get(fixture, "/v1/reports/pipeline?asof=2026-01-01", as: "alice").status == 403)
    }

    /// An option a report does not use is refused, naming the reports that take it, for every
    /// report and option (as `gsp report` refuses it with exit 64).
    @Test func anOptionTheReportDoesNotUseIs400() async throws {
        let fixture = try withConflict()
        let values = ["as_of": "2026-01-01", "group_by": "owner", "stalled_days": "10", "probabilities": "poc=15"]
        let users: [String: Set<String>] = ["as_of": Set(["pipeline", "forecast", "conversion", "aging", "pis", "lost", "anomalies", "conflicts"]),
                                            "group_by": ["pipeline", "forecast"], "stalled_days": ["aging"],
                                            "probabilities": ["pipeline", "forecast"]]
        for report in ["pipeline", "forecast", "conversion", "aging", "pis", "lost", "anomalies", "conflicts"] {
            for (parameter, value) in values {
                let (status, body) = try await get(fixture, "/v1/reports/\(report)?\(parameter)=\(value)")
                if users[parameter]!.contains(report) {
                    #expect(status == 200, "\(report)?\(parameter): \(status) \(body)")
                } else {
                    #expect(status == 400, "\(report)?\(parameter): \(status) \(body)")
                    #expect(body.contains(parameter), "\(report)?\(parameter): \(body)")
                    for user in users[parameter]! { #expect(body.contains(user), "\(report)?\(parameter) does not name \(user): \(body)") }
                }
            }
        }
    }
}
