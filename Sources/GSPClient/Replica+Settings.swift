import Foundation
import GSPCore
import GSPStore

/// Where and how this replica syncs, and how far it got.
public struct SyncState: Equatable, Sendable {
    public var serverURL: String?
    public var token: String?
    /// Where the CA certificates trusted for the server were read from at login.
    public var caFile: String?
    /// The CA certificates (PEM) stored at login; nil for none, or for a replica from before
    /// they were stored, which reads `caFile` at each sync.
    public var caCertificates: String?
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
    /// Milliseconds an edit made now adds to the device's wall clock: the skew learnt from the
    /// server, followed through any step of the device clock since (see `ClockAnchor`).
    public var clockOffset: Int64
}

extension Replica {
    /// Stores the server URL, the bearer token and how to trust the server in the replica file,
    /// and makes the file (and its -wal and -shm files) readable by its owner only.
    ///
    /// Refuses plain http:// to a host other than this machine unless `insecure`. `caFile` is a
    /// PEM file of certificate authorities trusted instead of the system's: its certificates are
    /// checked and stored in the replica (with the file's absolute path, for `gsp status`), so the
    /// file may move or go afterwards. Logging in again without it forgets them.
    public func login(server: String, token: String, role: String? = nil, caFile: String? = nil, insecure: Bool = false) throws {
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(server: server, token: token, insecure: insecure) } catch {
            throw ReplicaError(.invalidValue, error.message)
        }
        let token = endpoint.token
        guard !token.isEmpty else { throw ReplicaError(.invalidValue, "the token is empty: pass --token TOKEN as given by your administrator") }
        let caPath = try caFile.map(Self.checkedCAFile)
        let certificates = try caFile.map(CACertificates.read)
        try restrictFileModes()
        try transaction {
            try setMeta(.serverURL, .text(endpoint.server))
            try setMeta(.token, .text(token))
            try setMeta(.caFile, caPath.map { .text($0) } ?? .null)
            try setMeta(.caCertificates, certificates.map { .text($0) } ?? .null)
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
        if let certificates = state.caCertificates {
            return try ServerEndpoint(server: server, token: token, caCertificates: certificates, insecure: state.insecure)
        }
        // A replica from before the certificates were stored: take them from the file now, once,
        // if it is still there and sound; else keep reading the file (sync says what is wrong).
        if let file = state.caFile, let certificates = try? CACertificates.read(file) {
            try transaction { try setMeta(.caCertificates, .text(certificates)) }
            return try ServerEndpoint(server: server, token: token, caCertificates: certificates, insecure: state.insecure)
        }
        return try ServerEndpoint(server: server, token: token, caFile: state.caFile, insecure: state.insecure)
    }

    /// The role the server gave this replica's token at the last checked login; nil when unknown.
    public func role() throws -> String? { try meta(.role)?.text }

    public func syncState() throws -> SyncState {
        SyncState(serverURL: try meta(.serverURL)?.text, token: try meta(.token)?.text,
                  caFile: try meta(.caFile)?.text, caCertificates: try meta(.caCertificates)?.text,
                  insecure: try meta(.insecure)?.integer == 1,
                  epoch: try meta(.epoch)?.text.flatMap(UUID.init(uuidString:)),
                  cursor: UInt64(bitPattern: try meta(.cursor)?.integer ?? 0),
                  acknowledged: UInt64(bitPattern: try meta(.acknowledged)?.integer ?? 0),
                  lastSync: try meta(.lastSync)?.integer.map { UInt64(clamping: $0) },
                  lastError: try meta(.lastError)?.text, lastErrorAt: try meta(.lastErrorAt)?.integer.map { UInt64(clamping: $0) },
                  clockOffset: try clockOffsetNow())
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
        _ = try CACertificates.read(file)
        return URL(fileURLWithPath: file).standardizedFileURL.path
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
