import Foundation
import GSPPostgres
import GSPStore

/// Who may call a route.
public enum Access: Sendable {
    /// Anyone (health checks).
    case open
    /// Any signed-in user.
    case user
    /// Managers only: a rep gets 403.
    case manager
}

/// One route: a method and a path (or a path prefix), who may call it, and its handler.
public struct Route: Sendable {
    public typealias Handler = @Sendable (HTTPRequest, User?) throws -> HTTPResponse
    public var method: String
    public var path: String
    /// When true, `path` matches itself and everything below it (`/v1/reports/` matches `/v1/reports/funnel`).
    public var prefix: Bool
    public var access: Access
    /// The query parameters the route reads: the router refuses any other with 400, naming it
    /// and these. Nil when the handler checks them itself (the dashboard answers with a page).
    public var parameters: [String]?
    /// How this route words a refusal (401, 403) or a failure: JSON by default.
    public var errorResponse: @Sendable (Int, String) -> HTTPResponse
    public var handler: Handler

    public init(_ method: String, _ path: String, prefix: Bool = false, access: Access, parameters: [String]? = [],
                errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse = HTTPResponse.error,
                handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.prefix = prefix
        self.access = access
        self.parameters = parameters
        self.errorResponse = errorResponse
        self.handler = handler
    }

    func matches(path candidate: String) -> Bool {
        prefix ? candidate.hasPrefix(path) : candidate == path
    }
}

/// The routing table: finds the route, checks the bearer token and the role, runs the handler.
public struct Router: Sendable {
    public private(set) var routes: [Route] = []
    let authenticator: Authenticator

    public init(authenticator: Authenticator) { self.authenticator = authenticator }

    /// Adds a route; later routes with the same path take precedence (so a placeholder can be replaced).
    public mutating func add(_ route: Route) { routes.insert(route, at: 0) }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let candidates = routes.filter { $0.matches(path: request.path) }
        guard let route = candidates.first(where: { $0.method == request.method }) else {
            if candidates.isEmpty { return .error(404, "no such path: \(request.path)") }
            var response = HTTPResponse.error(405, "\(request.path) does not take \(request.method)")
            response.headers["Allow"] = Set(candidates.map(\.method)).sorted().joined(separator: ", ")
            return response
        }
        var user: User?
        if route.access != .open {
            do {
                user = try authenticator.user(authorization: request.header("authorization"))
            } catch let unavailable as ServerStoreUnavailable {
                return Self.unavailable(route, unavailable)
            } catch {
                return Self.failed(route, request, error)
            }
            guard let user else {
                var response = route.errorResponse(401, "missing or unknown bearer token: ask an administrator for a token ('gsp-server user add') and send it as 'Authorization: Bearer TOKEN'")
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
            }
            if route.access == .manager && user.role != .manager {
                var response = route.errorResponse(403, "\(request.path) is for managers; '\(user.name)' is a \(user.role.rawValue)")
                response.user = user.name
                return response
            }
        }
        if let known = route.parameters, let refusal = QueryParameters.unknown(in: request.query, known: known, path: request.path) {
            var response = route.errorResponse(400, refusal)
            response.user = user?.name
            return response
        }
        do {
            var response = try route.handler(request, user)
            if response.user == nil { response.user = user?.name }
            return response
        } catch let unavailable as ServerStoreUnavailable {
            var response = Self.unavailable(route, unavailable)
            response.user = user?.name
            return response
        } catch let error as DatabaseError {
            var response = Self.failed(route, request, error)
            response.user = user?.name
            return response
        } catch let error as PostgresError {
            var response = Self.failed(route, request, error)
            response.user = user?.name
            return response
        } catch {
            // Whatever it was, its text is for the operator: it may name files, SQL or the database.
            var response = Self.failed(route, request, error)
            response.user = user?.name
            return response
        }
    }

    /// A store failure: the details go to the operator's log, the client is told to retry later.
    static func failed(_ route: Route, _ request: HTTPRequest, _ error: any Error) -> HTTPResponse {
        let failure = StoreFailure(error, doing: "\(request.method) \(request.path)")
        ServerLog.error(failure.operatorMessage)
        var response = route.errorResponse(failure.status, failure.clientMessage)
        if let seconds = failure.retryAfter { response.headers["Retry-After"] = String(seconds) }
        return response
    }

    /// 503 with Retry-After: the database is down or restarting; the request changed nothing.
    static func unavailable(_ route: Route, _ error: ServerStoreUnavailable) -> HTTPResponse {
        // The why (host, database, libpq's words) is the operator's; anyone may send a request.
        ServerLog.error("a request got 503: \(error.message)")
        var response = route.errorResponse(503, ServerStoreUnavailable.clientMessage)
        response.headers["Retry-After"] = "2"
        return response
    }
}
