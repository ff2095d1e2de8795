import Foundation
import GSPCore
import GSPPipeline

/// `GET /v1/reports/NAME` and the managers' dashboard, computed by GSPPipeline from the
/// store's change history with the same code as a replica (which holds less history: see
/// `ReportName.replicaNotes`).
enum ReportRoutes {
    static func routes(store: any ServerStore, authenticator: Authenticator) -> [Route] {
        let history = HistoryCache()
        return [
            Route("GET", "/v1/reports/", prefix: true, access: .manager, parameters: ReportOption.allCases.map(\.parameter)) { request, _ in
                let name = String(request.path.dropFirst("/v1/reports/".count))
                let options: ReportOptions, report: ReportName
                do throws(DomainError) {
                    report = try ReportName.parse(name)
                    options = try reportOptions(request.query, path: request.path)
                    try report.check(ReportOption.allCases.filter { request.query[$0.parameter] != nil }, spelling: .query)
                } catch {
                    return .error(error.message.hasPrefix("unknown report") ? 404 : 400, error.message)
                }
                let table = Reports.run(report, data: try pipelineData(store: store, history: history, options: options), options: options)
                return render(table, accept: request.header("accept") ?? "")
            },
            // The dashboard checks its parameters itself, to answer with its own page.
            Route("GET", "/dashboard", access: .open, parameters: nil) { request, _ in
                try dashboard(request, store: store, history: history, authenticator: authenticator)
            },
            Route("POST", "/dashboard/login", access: .open) { request, _ in
                try login(request, authenticator: authenticator)
            },
            Route("GET", "/dashboard/logout", access: .open) { _, _ in
                var response = html(303, "")
                response.headers["Location"] = "/dashboard"
                response.headers["Set-Cookie"] = "\(cookieName)=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0"
                return response
            },
        ]
    }

    /// Options from the query: `as_of`, `group_by`, `stalled_days`, `probabilities` ("poc=15,kpi=25");
    /// any other parameter is refused.
    static func reportOptions(_ query: [String: String], path: String) throws(DomainError) -> ReportOptions {
        if let refusal = QueryParameters.unknown(in: query, known: ReportOption.allCases.map(\.parameter), path: path) {
            throw DomainError(refusal)
        }
        var options = ReportOptions()
        if let asOf = query["as_of"], !asOf.isEmpty { options.asOf = try Day.parse(asOf) }
        if let group = query["group_by"], !group.isEmpty { options.groupBy = try GroupBy.parse(group) }
        if let days = query["stalled_days"] {
            guard let n = Int(days), n > 0 else { throw DomainError("stalled_days '\(days)' is not a positive number of days") }
            options.stalledDays = n
        }
        if let p = query["probabilities"], !p.isEmpty { options.probabilities = try StageProbabilities.parse(p) }
        return options
    }

    /// Everything the store accepted, with who sent each node's changes and the recorded conflicts.
    static func pipelineData(store: any ServerStore, history: HistoryCache, options: ReportOptions) throws -> PipelineData {
        let snapshot = try history.snapshot(store)
        let conflicts = try store.conflicts(since: nil).map { c in
            GSPPipeline.ConflictRecord(
                table: c.key.table, row: c.key.row, field: c.key.field,
                winning: .init(value: c.winning.value, hlc: c.winning.hlc, node: c.winning.node, user: c.winning.user),
                losing: .init(value: c.losing.value, hlc: c.losing.hlc, node: c.losing.node, user: c.losing.user),
                detectedAt: Int64(c.detected.timeIntervalSince1970 * 1000))
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return PipelineData(history: snapshot.changes, options: options, now: now, users: snapshot.users, conflicts: conflicts)
    }

    /// JSON by default; CSV for `Accept: text/csv`; an aligned table for `Accept: text/plain`.
    static func render(_ table: ReportTable, accept: String) -> HTTPResponse {
        if accept.contains("text/csv") {
            return HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: Data(table.csv().utf8))
        }
        if accept.contains("text/plain") { return .text(200, table.text()) }
        return HTTPResponse(status: 200, contentType: "application/json", body: Data(table.json().utf8))
    }

    static func html(_ status: Int, _ page: String) -> HTTPResponse {
        var response = HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Data(page.utf8))
        // The page is self-contained: forbid scripts and outside assets outright.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response
    }
}
