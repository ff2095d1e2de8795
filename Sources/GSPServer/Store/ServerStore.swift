import Foundation
import GSPCore
import GSPWire

/// What a user may do: a rep works on the deals they own, a manager on everything.
public enum Role: String, Sendable, CaseIterable, Codable {
    case rep, manager
}

/// A person who syncs with the server.
public struct User: Sendable, Equatable, Codable {
    public var name: String
    public var role: Role
    public var region: String?
    public var revoked: Bool
    public var created: Date

    public init(name: String, role: Role, region: String? = nil, revoked: Bool = false, created: Date = Date()) {
        self.name = name
        self.role = role
        self.region = region
        self.revoked = revoked
        self.created = created
    }
}

/// A user with the SHA-256 of their bearer token, for authentication only.
public struct UserCredential: Sendable {
    public var user: User
    public var tokenHash: [UInt8]
    public init(user: User, tokenHash: [UInt8]) {
        self.user = user
        self.tokenHash = tokenHash
    }
}

/// One pushed change with the client's local sequence number.
public struct IncomingChange: Sendable, Equatable {
    public var seq: UInt64
    public var change: Change
    public init(seq: UInt64, change: Change) {
        self.seq = seq
        self.change = change
    }
}

/// Why one pushed change was not merged; it is reported to the client, never retried.
public struct ChangeRefusal: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case outOfScope, invalidValue, clockSkew, forbidden, other
    }
    public var seq: UInt64
    public var kind: Kind
    public var reason: String
    public init(seq: UInt64, kind: Kind, reason: String) {
        self.seq = seq
        self.kind = kind
        self.reason = reason
    }
}

/// What one merged push did.
public struct MergeOutcome: Sendable, Equatable {
    /// The highest local sequence made durable (refused changes count as processed).
    public var acknowledged: UInt64
    public var refusals: [ChangeRefusal]
    /// Changes stored for the first time (winners and losers), duplicates excluded.
    public var accepted: Int
    /// The greatest HLC among accepted changes, for the server clock to observe.
    public var maxHLC: HLC
    public init(acknowledged: UInt64, refusals: [ChangeRefusal], accepted: Int, maxHLC: HLC) {
        self.acknowledged = acknowledged
        self.refusals = refusals
        self.accepted = accepted
        self.maxHLC = maxHLC
    }
}

/// A row the replica must forget (it left the user's scope).
public struct RowRef: Sendable, Hashable {
    public var table: String
    public var row: RowID
    public init(table: String, row: RowID) {
        self.table = table
        self.row = row
    }
}

/// One page of a pull: current winners with seq > cursor, in seq order.
public struct PullPage: Sendable, Equatable {
    /// The changes of one page may take this many bytes of a response body: the body budget
    /// of a frame (`WireSize.bodyBudget`) less 1 MiB for the header, refusals, dropped rows
    /// and tables (a sync service takes its refusals' own size off as well).
    public static let defaultMaxBytes = WireSize.bodyBudget() - (1 << 20)

    public var changes: [Change]
    public var dropped: [RowRef]
    /// The user name behind every node in `changes`.
    public var nodes: [NodeID: String]
    public var cursor: UInt64
    public var hasMore: Bool
    public init(changes: [Change], dropped: [RowRef], nodes: [NodeID: String], cursor: UInt64, hasMore: Bool) {
        self.changes = changes
        self.dropped = dropped
        self.nodes = nodes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// One side of a conflict: a value and who wrote it.
public struct ConflictSide: Sendable, Equatable {
    public var value: Value
    public var hlc: HLC
    public var node: NodeID
    public var user: String
    public init(value: Value, hlc: HLC, node: NodeID, user: String) {
        self.value = value
        self.hlc = hlc
        self.node = node
        self.user = user
    }
}

/// Two concurrent writes to one field with different values: the winner and the value it overwrote.
public struct ConflictRecord: Sendable, Equatable {
    public var key: FieldKey
    public var winning: ConflictSide
    public var losing: ConflictSide
    public var detected: Date
    public init(key: FieldKey, winning: ConflictSide, losing: ConflictSide, detected: Date) {
        self.key = key
        self.winning = winning
        self.losing = losing
        self.detected = detected
    }
}

/// One accepted change as kept forever, winner or loser at the time it arrived.
public struct HistoryEntry: Sendable, Equatable {
    public var change: Change
    public var user: String
    public var received: Date
    public var winner: Bool
    public init(change: Change, user: String, received: Date, winner: Bool) {
        self.change = change
        self.user = user
        self.received = received
        self.winner = winner
    }
}

/// A page of the history and the number of its last entry (`afterID` for the next page).
public struct HistoryPage: Sendable {
    public var entries: [HistoryEntry]
    public var lastID: Int64
    public init(entries: [HistoryEntry], lastID: Int64) {
        self.entries = entries
        self.lastID = lastID
    }
}

/// What bringing a database's schema up to date did (`gsp-server migrate` says which).
public enum SchemaMigration: Equatable, Sendable {
    /// The database had no gsp-server schema: it was created, at this version.
    case created(version: Int64)
    /// The schema was at an older version and was brought to this one.
    case upgraded(from: Int64, to: Int64)
    /// The schema was already at this version: nothing changed.
    case upToDate(version: Int64)
}

/// The server's storage. Every method is one whole operation (one transaction), so a
/// backend can run it on its own connection; the SQLite and PostgreSQL backends share it.
public protocol ServerStore: Sendable {
    /// The server's identity for this lineage of data; it changes on restore.
    func epoch() throws -> UUID
    /// What opening the store did to the schema; nil when it was opened without creating one.
    var schemaAtOpen: SchemaMigration? { get }
    /// Merges a push in one transaction; the outcome is returned only after commit.
    func merge(changes: [IncomingChange], user: User, node: NodeID, now: Date) throws -> MergeOutcome
    /// The next page of winners visible to `user` after `cursor`, and rows that left their scope:
    /// at most `limit` changes, ended early (has more) before the changes' encoded size could
    /// pass `maxBytes` (see `PullPage.defaultMaxBytes`), but never empty while changes remain.
    func pull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> PullPage
    /// The epoch and the same page as `pull`; a backend over a network reads both in one round trip.
    func epochAndPull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> (epoch: UUID, page: PullPage)
    /// The last local sequence acknowledged to `node`, 0 when unknown.
    func acknowledged(node: NodeID) throws -> UInt64

    /// Adds a user (or gives a revoked one a new token). `beforeCommit` runs inside the
    /// transaction: when it throws, nothing is stored (the CLI writes the only copy of the token
    /// there, so a token that cannot be written out never becomes valid). It may run more than
    /// once when a broken PostgreSQL connection makes the transaction run again.
    func addUser(_ user: User, tokenHash: [UInt8], beforeCommit: () throws -> Void) throws
    func users() throws -> [User]
    /// Users that may sign in, with their token hashes.
    func activeCredentials() throws -> [UserCredential]
    func revokeUser(named name: String) throws

    func history(since: Date?, limit: Int) throws -> [HistoryEntry]
    /// Up to `limit` history entries stored after the entry numbered `afterID`, in the order
    /// they committed (0 starts at the beginning); the history only ever grows.
    func history(afterID: Int64, limit: Int) throws -> HistoryPage
    func conflicts(since: Date?) throws -> [ConflictRecord]

    /// Writes a consistent copy of the whole store to `path` (which must not exist).
    func backup(to path: String) throws
    /// Replaces the whole store with a backup and gives it a new epoch, which is returned.
    func restore(from path: String) throws -> UUID
}

extension ServerStore {
    public func addUser(_ user: User, tokenHash: [UInt8]) throws {
        try addUser(user, tokenHash: tokenHash, beforeCommit: {})
    }
}

/// A store operation failed for a reason the operator can act on.
public struct ServerStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The store cannot be reached right now (its database restarted or the network dropped):
/// nothing was changed, and the same request may be sent again later (HTTP 503).
public struct ServerStoreUnavailable: Error, Sendable, CustomStringConvertible {
    /// What clients are told; `message`, which may name the database, goes to the operator's log.
    public static let clientMessage = "the server's database is unavailable right now; nothing was changed or acknowledged: "
        + "retry in a few seconds (your changes stay pending on this device)"
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ServerStore {
    /// Two reads: cheap for an in-process database.
    public func epochAndPull(user: User, cursor: UInt64, limit: Int, maxBytes: Int) throws -> (epoch: UUID, page: PullPage) {
        (try epoch(), try pull(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes))
    }

    /// A page whose encoded changes fit a response frame (`PullPage.defaultMaxBytes`).
    public func pull(user: User, cursor: UInt64, limit: Int) throws -> PullPage {
        try pull(user: user, cursor: cursor, limit: limit, maxBytes: PullPage.defaultMaxBytes)
    }

    public func epochAndPull(user: User, cursor: UInt64, limit: Int) throws -> (epoch: UUID, page: PullPage) {
        try epochAndPull(user: user, cursor: cursor, limit: limit, maxBytes: PullPage.defaultMaxBytes)
    }
}
