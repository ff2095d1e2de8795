import Foundation
import GSPPipeline

extension ReportRoutes {
    static let cookieName = "gsp_token"

    /// The dashboard for a manager signed in by bearer header or cookie; the login form otherwise.
    static func dashboard(_ request: HTTPRequest, store: any ServerStore, history: HistoryCache, authenticator: Authenticator) throws -> HTTPResponse {
        let token = request.header("authorization") ?? cookie(cookieName, in: request.header("cookie")).map { "Bearer " + $0 }
        guard let token, let user = try authenticator.user(authorization: token) else {
            return html(token == nil ? 200 : 401, Dashboard.loginPage(error: token == nil ? nil : "That token is not valid (revoked or mistyped). Ask an administrator for a new one."))
        }
        guard user.role == .manager else {
            var response = html(403, Dashboard.loginPage(error: "The dashboard is for managers; '\(user.name)' is a \(user.role.rawValue)."))
            response.user = user.name
            return response
        }
        let options: ReportOptions
        do { options = try reportOptions(request.query, path: request.path) } catch {
            // Signed in: show the dashboard's own error (and the form to try again), not the sign-in form.
            var response = html(400, Dashboard.problemPage(error: error.message))
            response.user = user.name
            return response
        }
        var response = html(200, Dashboard.render(data: try pipelineData(store: store, history: history, options: options), options: options))
        response.user = user.name
        return response
    }

    /// Checks the posted token; a good one is kept in an HttpOnly cookie scoped to the dashboard.
    static func login(_ request: HTTPRequest, authenticator: Authenticator) throws -> HTTPResponse {
        let form = formFields(String(decoding: request.body, as: UTF8.self))
        guard let token = form["token"]?.trimmingCharacters(in: .whitespaces), !token.isEmpty,
              let user = try authenticator.user(authorization: "Bearer " + token) else {
            return html(401, Dashboard.loginPage(error: "That token is not valid (revoked or mistyped). Ask an administrator for a new one."))
        }
        guard user.role == .manager else {
            return html(403, Dashboard.loginPage(error: "The dashboard is for managers; '\(user.name)' is a \(user.role.rawValue)."))
        }
        var response = html(303, "")
        response.headers["Location"] = "/dashboard"
        // Secure over HTTPS, so the browser never sends the token over plain HTTP afterwards.
        response.headers["Set-Cookie"] = "\(cookieName)=\(token); Path=/dashboard; HttpOnly; SameSite=Strict" + (request.isSecure ? "; Secure" : "")
        response.user = user.name
        return response
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        header?.split(separator: ";").lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(name + "=") }
            .map { String($0.dropFirst(name.count + 1)) }
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}
