import Foundation
import GSPCore
import GSPStore

/// Where and how this replica syncs, and how far it got.
public struct SyncState: Equatable, Sendable {
    public var serverURL: String?
    public var token: String?
    /// The server store's identity last seen; nil before the first sync.
    public var epoch: UUID?
    /// The last server sequence applied.
    public var cursor: UInt64
    /// The last local sequence the server acknowledged.
    public var acknowledged: UInt64
    /// When the last sync finished, in Unix milliseconds.
    public var lastSync: UInt64?
    /// Milliseconds added to the wall clock after a server found it skewed.
    public var clockOffset: Int64
}

extension Replica {
    /// Stores the server URL and the bearer token in the replica file (readable by its owner only).
    public func login(server: String, token: String) throws {
        let server = server.trimmingCharacters(in: .whitespaces), token = token.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ReplicaError(.invalidValue, "malformed server URL '\(server)': write it as https://host[:port]")
        }
        guard !token.isEmpty else { throw ReplicaError(.invalidValue, "the token is empty: pass --token TOKEN as given by your administrator") }
        try transaction {
            try setMeta(.serverURL, .text(server.hasSuffix("/") ? String(server.dropLast()) : server))
            try setMeta(.token, .text(token))
        }
    }

    public func syncState() throws -> SyncState {
        SyncState(serverURL: try meta(.serverURL)?.text, token: try meta(.token)?.text,
                  epoch: try meta(.epoch)?.text.flatMap(UUID.init(uuidString:)),
                  cursor: UInt64(bitPattern: try meta(.cursor)?.integer ?? 0),
                  acknowledged: UInt64(bitPattern: try meta(.acknowledged)?.integer ?? 0),
                  lastSync: try meta(.lastSync)?.integer.map { UInt64(clamping: $0) },
                  clockOffset: try meta(.clockOffset)?.integer ?? 0)
    }

    /// Remembers the server store's epoch (first sync, or after `resetForNewEpoch`).
    public func setEpoch(_ epoch: UUID) throws {
        try transaction { try setMeta(.epoch, .text(epoch.uuidString.lowercased())) }
    }

    /// Records that a sync finished now.
    public func markSynced() throws {
        try transaction { try setMeta(.lastSync, .integer(Int64(clamping: wallClock.now()))) }
    }

    /// The wall clock corrected by any skew a server reported.
    func correctedWall() throws -> UInt64 {
        let offset = try meta(.clockOffset)?.integer ?? 0
        let wall = Int64(clamping: wallClock.now())
        return UInt64(clamping: max(0, wall.addingReportingOverflow(offset).overflow ? wall : wall + offset))
    }
}
