import Foundation
import GSPCore

/// What one sync round sends: the pushed changes and where the pull stands.
/// The plain-value form of GSPWire's `SyncRequest`; a `SyncCodec` turns it into a frame.
public struct SyncRound: Equatable, Sendable {
    public var node: NodeID
    public var schemaVersion: UInt32
    /// The server store's epoch this replica last saw; nil before the first sync.
    public var knownEpoch: UUID?
    public var cursor: UInt64
    public var pageSize: UInt32
    public var changes: [PendingChange]

    public init(node: NodeID, schemaVersion: UInt32, knownEpoch: UUID?, cursor: UInt64, pageSize: UInt32, changes: [PendingChange]) {
        self.node = node
        self.schemaVersion = schemaVersion
        self.knownEpoch = knownEpoch
        self.cursor = cursor
        self.pageSize = pageSize
        self.changes = changes
    }
}

/// A change the server refused, by local sequence number.
public struct SyncRefusal: Equatable, Sendable {
    /// The code of a change refused because its stamp is too far in the future: re-stamped and pushed again once.
    public static let clockSkew = "clockSkew"
    /// The code of a change to a deal outside the user's scope (kept, and sent again if the deal becomes theirs).
    public static let outOfScope = "outOfScope"
    /// The code of a change refused on this device before sending: its value is over the wire's limits.
    public static let tooLarge = "tooLarge"

    public var seq: UInt64
    public var code: String
    public var reason: String
    public init(seq: UInt64, code: String, reason: String) {
        self.seq = seq
        self.code = code
        self.reason = reason
    }
}

/// What the server answered to a round. The plain-value form of GSPWire's `SyncResponse`.
public struct SyncReply: Equatable, Sendable {
    public var epoch: UUID
    public var serverTime: HLC
    /// The last pushed local sequence the server made durable.
    public var acknowledged: UInt64
    public var refusals: [SyncRefusal]
    public var changes: [Change]
    public var dropped: [RowReference]
    public var nodes: [NodeID: String]
    public var cursor: UInt64
    public var hasMore: Bool

    public init(epoch: UUID, serverTime: HLC, acknowledged: UInt64 = 0, refusals: [SyncRefusal] = [], changes: [Change] = [],
                dropped: [RowReference] = [], nodes: [NodeID: String] = [:], cursor: UInt64, hasMore: Bool = false) {
        self.epoch = epoch
        self.serverTime = serverTime
        self.acknowledged = acknowledged
        self.refusals = refusals
        self.changes = changes
        self.dropped = dropped
        self.nodes = nodes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// The server refused the whole round. The plain-value form of GSPWire's `ErrorMessage`.
public struct SyncFailure: Equatable, Sendable {
    /// Error codes the session acts on (the protocol's error names, SPEC.md section 6).
    public static let clockSkew = "clockSkew"
    public static let epochMismatch = "epochMismatch"
    public static let tooLarge = "tooLarge"
    public static let internalError = "internal"

    public var code: String
    public var message: String
    /// The server's clock, sent with clock-skew errors.
    public var serverTime: HLC?
    public init(code: String, message: String, serverTime: HLC? = nil) {
        self.code = code
        self.message = message
        self.serverTime = serverTime
    }
}

/// A decoded server answer.
public enum SyncAnswer: Equatable, Sendable {
    case reply(SyncReply)
    case failure(SyncFailure)
}

/// Turns rounds into request frames and response frames into answers (GSPWire's frames).
public protocol SyncCodec: Sendable {
    func encode(_ round: SyncRound) throws -> Data
    func decode(_ frame: Data) throws -> SyncAnswer
}

/// Why a sync stopped; the message says what to do next.
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notLoggedIn, tokenRejected, server, protocolError
        /// The server could not be reached (no network, timeout, connection reset): worth retrying.
        case transport
        /// The server (or a proxy in front of it) is busy or restarting (HTTP 502, 503, 504): worth retrying.
        case unavailable
        /// The request was refused as too large (HTTP 413): push fewer changes at once.
        case tooLarge
        /// The secure connection failed: the server's certificate is not trusted, or the handshake failed.
        case tls
    }
    public let code: Code
    public let message: String
    /// How long the server asked to wait before retrying (a Retry-After header), if it said.
    public let retryAfter: Duration?
    public init(_ code: Code, _ message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }
    public var description: String { message }
    /// True for failures that may go away by themselves (network, busy server).
    public var isTransient: Bool { code == .transport || code == .unavailable }
}

/// What a finished sync did.
public struct SyncSummary: Equatable, Sendable {
    public var rounds = 0
    public var pushed = 0
    /// This replica's own changes the server refused (listed by `Replica.refusedChanges`).
    public var refused = 0
    /// Other writers' values this replica sent again (after a restore) that the server did not
    /// take from this user; their writers' replicas send them again. Not the user's refusals.
    public var relayedNotTaken = 0
    public var pulled = 0
    public var applied = 0
    public var droppedRows = 0
    public var restamped = 0
    public var requeuedForNewEpoch = 0
    /// Rounds sent again after a transient failure.
    public var retries = 0
    /// Times the batch was halved because the server refused it as too large.
    public var batchSplits = 0
    /// Set while the sync waits to retry (for progress output); nil otherwise.
    public var nextRetry: SyncRetry?
    public init() {}
}

/// A retry the sync is waiting for: why, how long, and which attempt comes next.
public struct SyncRetry: Equatable, Sendable {
    public var reason: String
    public var delay: Duration
    /// The attempt about to be made (2 for the first retry), out of `of`.
    public var attempt: Int
    public var of: Int
    public init(reason: String, delay: Duration, attempt: Int, of: Int) {
        self.reason = reason
        self.delay = delay
        self.attempt = attempt
        self.of = of
    }
}
