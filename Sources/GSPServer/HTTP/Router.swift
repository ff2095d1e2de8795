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
    /// The largest body the route takes (413 beyond it); nil for the server's limit. Requests
    /// other than pushes carry small bodies, if any: a large one is refused unread.
    public var maxBodyBytes: Int?
    /// How this route words a refusal (401, 403) or a failure: JSON by default.
    public var errorResponse: @Sendable (Int, String) -> HTTPResponse
    public var handler: Handler

    /// What a route takes when not told otherwise (a login form, a query in a body).
    public static let defaultMaxBodyBytes = 64 << 10

    public init(_ method: String, _ path: String, prefix: Bool = false, access: Access, parameters: [String]? = [],
                maxBodyBytes: Int? = Route.defaultMaxBodyBytes, errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse = HTTPResponse.error,
                handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.prefix = prefix
        self.access = access
        self.parameters = parameters
        self.maxBodyBytes = maxBodyBytes
        self.errorResponse = errorResponse
        self.handler = handler
    }

    func matches(path candidate: String) -> Bool {
        prefix ? candidate.hasPrefix(path) : candidate == path
    }
}

/// The routing table: finds the route, checks the bearer token and the role from the request's
/// headers (so a refused request's body is never stored), then runs the handler on the whole request.
public struct Router: Sendable {
    public private(set) var routes: [Route] = []
    let authenticator: Authenticator

    public init(authenticator: Authenticator) { self.authenticator = authenticator }

    /// Adds a route; later routes with the same path take precedence (so a placeholder can be replaced).
    public mutating func add(_ route: Route) { routes.insert(route, at: 0) }

    /// Answers a whole request (headers and body) at once.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch admit(request) {
        case .refuse(let response): response
        case .read(_, _, let handler): handler(request)
        }
    }

    /// Decides from the headers alone (the body is not read yet): the route, the token (one
    /// look-up in the store per request), the role and the query. A request taken gets the
    /// route's body limit and a handler that runs the route as that user.
    public func admit(_ request: HTTPRequest) -> HTTPServer.Admission {
        let candidates = routes.filter { $0.matches(path: request.path) }
        guard let route = candidates.first(where: { $0.method == request.method }) else {
            if candidates.isEmpty { return .refuse(.error(404, "no such path: \(request.path)")) }
            var response = HTTPResponse.error(405, "\(request.path) does not take \(request.method)")
            response.headers["Allow"] = Set(candidates.map(\.method)).sorted().joined(separator: ", ")
            return .refuse(response)
        }
        var user: User?
        if route.access != .open {
            do {
                user = try authenticator.user(authorization: request.header("authorization"))
            } catch let unavailable as ServerStoreUnavailable {
                return .refuse(Self.unavailable(route, unavailable))
            } catch {
                return .refuse(Self.failed(route, request, error))
            }
            guard let user else {
                var response = route.errorResponse(401, "missing or unknown bearer token: ask an administrator for a token ('gsp-server user add') and send it as 'Authorization: Bearer TOKEN'")
                response.headers["WWW-Authenticate"] = "Bearer"
                return .refuse(response)
            }
            if route.access == .manager && user.role != .manager {
                var response = route.errorResponse(403, "\(request.path) is for managers; '\(user.name)' is a \(user.role.rawValue)")
                response.user = user.name
                return .refuse(response)
            }
        }
        if let known = route.parameters, let refusal = QueryParameters.unknown(in: request.query, known: known, path: request.path) {
            var response = route.errorResponse(400, refusal)
            response.user = user?.name
            return .refuse(response)
        }
        return .read(maxBodyBytes: route.maxBodyBytes ?? .max, errorResponse: { [errorResponse = route.errorResponse, user] status, message in
            var response = errorResponse(status, message)
            response.user = user?.name
            return response
        }) { [user] request in Self.run(route, request, user: user) }
    }

    static func run(_ route: Route, _ request: HTTPRequest, user: User?) -> HTTPResponse {
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
