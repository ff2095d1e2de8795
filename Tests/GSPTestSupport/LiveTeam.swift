import Foundation
import GSPCore
import GSPStore
import GSPClient
import Synchronization

/// A team syncing through the real `gsp-server` on 127.0.0.1: the server binary over its own
/// database file, users with tokens, and GSPClient replicas in the same temporary folder.
public final class LiveTeam {
    public let directory: TemporaryDirectory
    public let server: ServerBinary
    public private(set) var tokens: [String: String] = [:]

    /// `users` are (name, role) pairs; `serveArguments` go to every `gsp-server serve`.
    public init(users: [(String, String)] = [("meg", "manager"), ("alice", "rep"), ("bob", "rep")],
                serveArguments: [String] = [], start: Bool = true) throws {
        directory = TemporaryDirectory("gsp-live")
        server = ServerBinary(db: directory.path("server.db"), extraArguments: serveArguments)
        for (name, role) in users { tokens[name] = try server.addUser(name, role: role) }
        if start { try server.start() }
    }

    /// A new replica of `user` (file `file`, default `<user>.sqlite`), logged in to the server.
    public func replica(_ user: String, file: String? = nil, node: NodeID = NodeID(), clock: WallClock = .system) throws -> Replica {
        let replica = try Replica.create(at: directory.path(file ?? "\(user).sqlite"), user: user, node: node, wallClock: clock)
        try replica.login(server: server.url, token: tokens[user]!)
        return replica
    }

    /// One `gsp sync` of `replica` over HTTP (to `url`, default the server), through `faults` first (see `FlakyTransport`).
    @discardableResult
    public func sync(_ replica: Replica, faults: [FlakyTransport.Fault] = [], pushLimit: Int = 1_000,
                     pageSize: UInt32 = 1_000, through url: String? = nil) async throws -> SyncSummary {
        let http = try HTTPTransport(server: url ?? server.url, token: tokens[replica.user]!)
        // No retries: a fault the test injects must end the sync, as a lost connection would end a run.
        return try await replica.sync(transport: FlakyTransport(http, plan: faults), codec: WireSyncCodec(),
                                      pushLimit: pushLimit, pageSize: pageSize, retry: .never)
    }

    /// The server's database, opened read-only beside the running server.
    public func serverDatabase() throws -> Database {
        try Database(path: server.db, create: false, readOnly: true)
    }

    /// Rows of the server's history (every accepted change, once each).
    public func serverHistoryCount() throws -> Int {
        Int(try serverDatabase().scalar("SELECT count(*) FROM history")?.integer ?? -1)
    }

    /// What the server holds for `user`: the fields a brand-new replica of theirs pulls.
    public func serverView(of user: String) async throws -> [String: String] {
        let fresh = try replica(user, file: "view-\(user)-\(UUID().uuidString.prefix(8)).sqlite")
        try await sync(fresh, pageSize: 97)
        return try Self.fields(of: fresh)
    }

    /// Every field a replica holds, as "table/row/field" -> "value @ hlc node".
    public static func fields(of replica: Replica) throws -> [String: String] {
        let db = try Database(path: replica.path, create: false, readOnly: true)
        let rows = try db.query("SELECT tbl, row, field, kind, coalesce(CAST(vi AS TEXT), ''), coalesce(CAST(vt AS TEXT), ''), hlc, node FROM fields") { r in
            ("\(r.text(0))/\(r.text(1))/\(r.text(2))", "\(r.integer(3)):\(r.text(4)):\(r.text(5)) @ \(r.integer(6)) \(r.text(7))")
        }
        return Dictionary(rows, uniquingKeysWith: { a, _ in a })
    }

    /// The server's current winners as "table/row/field" -> "hlc node" (every user's scope).
    public func serverStamps() throws -> [String: String] {
        let rows = try serverDatabase().query("SELECT tbl, row, field, hlc, node FROM fields") { r in
            ("\(r.text(0))/\(r.text(1))/\(r.text(2))", "\(r.integer(3)) \(r.text(4))")
        }
        return Dictionary(rows, uniquingKeysWith: { a, _ in a })
    }
}

/// A wall clock the test moves by hand, shared by several replicas so their stamps can tie
/// exactly. With `followingRealTime` it never runs behind the real clock (so no replica learns
/// to correct it), and `advance` puts it ahead of the real clock for a while.
public final class SharedClock: Sendable {
    private let milliseconds: Mutex<UInt64>
    private let followingRealTime: Bool
    public init(_ start: UInt64, followingRealTime: Bool = false) {
        milliseconds = Mutex(start)
        self.followingRealTime = followingRealTime
    }
    public func advance(by delta: UInt64) { milliseconds.withLock { $0 = max($0, real()) + delta } }
    public var now: UInt64 { milliseconds.withLock { max($0, real()) } }
    public var wallClock: WallClock { WallClock { [self] in now } }
    private func real() -> UInt64 { followingRealTime ? UInt64(Date().timeIntervalSince1970 * 1000) : 0 }
}
