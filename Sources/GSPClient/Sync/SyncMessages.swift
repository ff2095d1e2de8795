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
    public enum Code: String, Sendable { case notLoggedIn, tokenRejected, server, transport, protocolError }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// What a finished sync did.
public struct SyncSummary: Equatable, Sendable {
    public var rounds = 0
    public var pushed = 0
    public var refused = 0
    public var pulled = 0
    public var applied = 0
    public var droppedRows = 0
    public var restamped = 0
    public var requeuedForNewEpoch = 0
    public init() {}
}
