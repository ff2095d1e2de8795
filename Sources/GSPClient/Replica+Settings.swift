import Foundation
import GSPCore
import GSPStore

/// Where and how this replica syncs, and how far it got.
public struct SyncState: Equatable, Sendable {
    public var serverURL: String?
    public var token: String?
    /// The CA file (PEM) trusted for the server, given at login.
    public var caFile: String?
    /// Plain http:// to another machine was allowed at login.
    public var insecure: Bool
    /// The server store's identity last seen; nil before the first sync.
    public var epoch: UUID?
    /// The last server sequence applied.
    public var cursor: UInt64
    /// The last local sequence the server acknowledged.
    public var acknowledged: UInt64
    /// When the last sync finished, in Unix milliseconds.
    public var lastSync: UInt64?
    /// Why the last sync failed; nil once a sync finishes.
    public var lastError: String?
    /// When the last sync failed, in Unix milliseconds.
    public var lastErrorAt: UInt64?
    /// Milliseconds added to the wall clock after a server found it skewed.
    public var clockOffset: Int64
}

extension Replica {
    /// Stores the server URL, the bearer token and how to trust the server in the replica file,
    /// and makes the file (and its -wal and -shm files) readable by its owner only.
    ///
    /// Refuses plain http:// to a host other than this machine unless `insecure`. `caFile` is a
    /// PEM file of certificate authorities trusted instead of the system's; it is stored as an
    /// absolute path, so keep the file where it is. Logging in again without it forgets it.
    public func login(server: String, token: String, role: String? = nil, caFile: String? = nil, insecure: Bool = false) throws {
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(server: server, token: token, insecure: insecure) } catch {
            throw ReplicaError(.invalidValue, error.message)
        }
        let token = endpoint.token
        guard !token.isEmpty else { throw ReplicaError(.invalidValue, "the token is empty: pass --token TOKEN as given by your administrator") }
        let caPath = try caFile.map(Self.checkedCAFile)
        try restrictFileModes()
        try transaction {
            try setMeta(.serverURL, .text(endpoint.server))
            try setMeta(.token, .text(token))
            try setMeta(.caFile, caPath.map { .text($0) } ?? .null)
            try setMeta(.insecure, .integer(insecure ? 1 : 0))
            if let role { try setMeta(.role, .text(role)) }
        }
    }

    /// The server settings stored by `login`, ready to connect with.
    public func serverEndpoint() throws -> ServerEndpoint {
        let state = try syncState()
        guard let server = state.serverURL, let token = state.token else {
            throw SyncError(.notLoggedIn, "no server yet: run 'gsp login --server URL --token TOKEN'")
        }
        return try ServerEndpoint(server: server, token: token, caFile: state.caFile, insecure: state.insecure)
    }

    /// The role the server gave this replica's token at the last checked login; nil when unknown.
    public func role() throws -> String? { try meta(.role)?.text }

    public func syncState() throws -> SyncState {
        SyncState(serverURL: try meta(.serverURL)?.text, token: try meta(.token)?.text,
                  caFile: try meta(.caFile)?.text, insecure: try meta(.insecure)?.integer == 1,
                  epoch: try meta(.epoch)?.text.flatMap(UUID.init(uuidString:)),
                  cursor: UInt64(bitPattern: try meta(.cursor)?.integer ?? 0),
                  acknowledged: UInt64(bitPattern: try meta(.acknowledged)?.integer ?? 0),
                  lastSync: try meta(.lastSync)?.integer.map { UInt64(clamping: $0) },
                  lastError: try meta(.lastError)?.text, lastErrorAt: try meta(.lastErrorAt)?.integer.map { UInt64(clamping: $0) },
                  clockOffset: try meta(.clockOffset)?.integer ?? 0)
    }

    /// Remembers the server store's epoch (first sync, or after `resetForNewEpoch`).
    public func setEpoch(_ epoch: UUID) throws {
        try transaction { try setMeta(.epoch, .text(epoch.uuidString.lowercased())) }
    }

    /// Records that a sync finished now, and forgets the last failure.
    public func markSynced() throws {
        try transaction {
            try setMeta(.lastSync, .integer(Int64(clamping: wallClock.now())))
            try setMeta(.lastError, .null)
            try setMeta(.lastErrorAt, .null)
        }
    }

    /// Records why a sync failed, for `gsp status`.
    public func recordSyncFailure(_ message: String) throws {
        try transaction {
            try setMeta(.lastError, .text(message))
            try setMeta(.lastErrorAt, .integer(Int64(clamping: wallClock.now())))
        }
    }

    /// The wall clock corrected by any skew a server reported.
    func correctedWall() throws -> UInt64 {
        let offset = try meta(.clockOffset)?.integer ?? 0
        let wall = Int64(clamping: wallClock.now())
        return UInt64(clamping: max(0, wall.addingReportingOverflow(offset).overflow ? wall : wall + offset))
    }

    /// Mode 0600 for the replica file and SQLite's -wal and -shm files beside it: they hold the token.
    func restrictFileModes() throws {
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else {
                throw ReplicaError(.invalidState, "cannot make \(file) private (chmod 600 failed: \(String(cString: strerror(errno)))): check that you own it")
            }
        }
    }

    /// The absolute path of a readable PEM certificate file, or a message saying what is wrong.
    public static func checkedCAFile(_ file: String) throws -> String {
        let url = URL(fileURLWithPath: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ReplicaError(.invalidValue, "cannot read the CA file \(file): check the path (it must stay there: gsp reads it at each sync)")
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw ReplicaError(.invalidValue, "\(file) holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line): ask your administrator for the CA certificate in PEM form")
        }
        return url.standardizedFileURL.path
    }
}

/// What an app shows about sync: what waits, what the server refused, how the last sync went.
public struct SyncStatus: Sendable {
    public var server: String?
    /// Local changes not yet acknowledged by the server.
    public var pending: Int
    /// Changes the server refused, newest first.
    public var refused: [RefusedChange]
    /// When the last sync finished, in Unix milliseconds.
    public var lastSync: UInt64?
    /// Why the last sync failed (nil once one finishes), and when.
    public var lastError: String?
    public var lastErrorAt: UInt64?
}

extension Replica {
    /// Pending count, refused changes, last sync and last error in one read (`gsp status`).
    public func syncStatus() throws -> SyncStatus {
        let state = try syncState()
        return SyncStatus(server: state.serverURL, pending: try pendingCount(), refused: try refusedChanges(),
                          lastSync: state.lastSync, lastError: state.lastError, lastErrorAt: state.lastErrorAt)
    }
}
