import Foundation
import GSPCore

/// How `gsp-server serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    public var maxDrift: Duration
    /// Larger request bodies get 413 (a full 16 MiB frame plus headroom).
    public var maxBodyBytes: Int
    /// Request bodies stored at once, all connections together (at least `maxBodyBytes`): a
    /// body that would go past it gets 503 with Retry-After.
    public var maxBufferedBodyBytes: Int
    /// Write one JSON line per request to stderr.
    public var logRequests: Bool
    /// A connection that sends nothing for this long is closed (slow or stalled clients).
    public var idleTimeoutSeconds: UInt32
    /// Serve HTTPS with this certificate and key; nil serves plain HTTP.
    public var tls: TLSIdentity?
    /// Connections open at once (each holds a thread).
    public var maxConnections: UInt32
    /// Connections one client address may hold at once, so one host cannot starve the others
    /// (slowloris); 0 turns the cap off (behind a reverse proxy every client has its address).
    public var maxConnectionsPerClient: UInt32

    /// What `gsp-server serve` caps per client address when not told otherwise.
    public static let defaultMaxConnectionsPerClient: UInt32 = 256

    public init(host: String = "127.0.0.1", port: UInt16 = 0, maxDrift: Duration = .seconds(60),
                maxBodyBytes: Int = (16 << 20) + (64 << 10), maxBufferedBodyBytes: Int = HTTPServer.defaultMaxBufferedBodyBytes, logRequests: Bool = true, idleTimeoutSeconds: UInt32 = 60,
                tls: TLSIdentity? = nil, maxConnections: UInt32 = 1024,
                maxConnectionsPerClient: UInt32 = 0) {
        self.host = host
        self.port = port
        self.maxDrift = maxDrift
        self.maxBodyBytes = maxBodyBytes
        self.maxBufferedBodyBytes = max(maxBodyBytes, maxBufferedBodyBytes)
        self.logRequests = logRequests
        self.idleTimeoutSeconds = max(1, idleTimeoutSeconds)
        self.tls = tls
        self.maxConnections = max(1, maxConnections)
        self.maxConnectionsPerClient = maxConnectionsPerClient
    }
}

/// The running server: the store, the sync service, the routing table and the HTTP listener.
public final class SyncServer: Sendable {
    public let store: any ServerStore
    public let service: SyncService
    public let router: Router
    let http: HTTPServer

    /// Starts listening; `extraRoutes` (reports, dashboard) are added after the built-in ones.
    public init(store: any ServerStore, configuration: ServerConfiguration, extraRoutes: [Route] = []) throws {
        self.store = store
        let service = SyncService(store: store, maxDrift: configuration.maxDrift)
        self.service = service
        var router = Router(authenticator: Authenticator(store: store))
        for route in Self.builtInRoutes(service: service) + extraRoutes { router.add(route) }
        self.router = router
        let log: HTTPServer.Observer? = configuration.logRequests ? RequestLog.write : nil
        http = try HTTPServer(host: configuration.host, port: configuration.port, maxBodyBytes: configuration.maxBodyBytes,
                              maxBufferedBodyBytes: configuration.maxBufferedBodyBytes,
                              idleTimeoutSeconds: configuration.idleTimeoutSeconds, maxConnections: configuration.maxConnections,
                              maxConnectionsPerClient: configuration.maxConnectionsPerClient, tls: configuration.tls,
                              observer: log, eventLog: configuration.logRequests ? ServerLog.http : nil,
                              screen: { [router] in router.admit($0) })
    }

    public var port: UInt16 { http.port }
    public var url: String { http.host.contains(":") ? "\(http.scheme)://[\(http.host)]:\(port)" : "\(http.scheme)://\(http.host):\(port)" }

    /// Stops accepting, lets requests in progress finish, then closes.
    public func stop(timeout: Duration = .seconds(30)) { http.stop(timeout: timeout) }

    static func builtInRoutes(service: SyncService) -> [Route] {
        let store = service.store
        return [
            // Any query is fine here: load balancers' probes may add their own (cache busters).
            Route("GET", "/healthz", access: .open, parameters: nil) { _, _ in .text(200, "ok") },
            // Readiness: the process is up *and* its database answers (a load balancer can take a
            // server whose PostgreSQL is unreachable out of rotation); a failure is the usual 503.
            Route("GET", "/readyz", access: .open, parameters: nil) { _, _ in
                _ = try store.epoch()
                return .text(200, "ready")
            },
            Route("GET", "/v1/whoami", access: .user) { _, user in
                .json(200, WhoAmI(name: user?.name ?? "", role: user?.role.rawValue ?? "", region: user?.region))
            },
            Route("GET", "/v1/conflicts", access: .manager, parameters: ["since"]) { request, _ in
                let since: Date?
                do throws(DomainError) {
                    since = try request.query["since"].map { text throws(DomainError) in try QueryParameters.moment(text, name: "since") }
                } catch {
                    return .error(400, error.message)
                }
                return .json(200, try store.conflicts(since: since).map(ConflictJSON.init))
            },
            SyncRoute.route(service: service),
        ] + ReportRoutes.routes(store: store, authenticator: Authenticator(store: store))
    }
}

struct WhoAmI: Encodable {
    let name: String
    let role: String
    let region: String?

    // Explicit so a user without a region gets "region": null rather than no key.
    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case name, role, region }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(region, forKey: .region)
    }
}

/// A conflict as JSON (for `/v1/conflicts` and `gsp-server conflicts --json`).
public struct ConflictJSON: Encodable, Sendable {
    public struct Side: Encodable, Sendable {
        let value: String
        let kind: String
        let hlc: String
        let node: String
        let user: String
        init(_ side: ConflictSide) {
            value = side.value.description
            kind = side.value.kind.name
            hlc = String(side.hlc.rawValue)
            node = side.node.description
            user = side.user
        }
    }
    let table: String
    let row: String
    let field: String
    let winning: Side
    let losing: Side
    let detected: Date

    public init(_ record: ConflictRecord) {
        table = record.key.table
        row = record.key.row.lowercased
        field = record.key.field
        winning = Side(record.winning)
        losing = Side(record.losing)
        detected = record.detected
    }
}
