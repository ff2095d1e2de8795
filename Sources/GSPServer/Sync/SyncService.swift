import Foundation
import GSPCore
import GSPWire
import Synchronization

/// One sync round trip in plain values (the HTTP route translates frames to and from these).
public struct SyncInput: Sendable {
    public var node: NodeID
    public var knownEpoch: UUID?
    public var cursor: UInt64
    public var pageSize: UInt32
    public var changes: [IncomingChange]
    public init(node: NodeID, knownEpoch: UUID?, cursor: UInt64, pageSize: UInt32, changes: [IncomingChange]) {
        self.node = node
        self.knownEpoch = knownEpoch
        self.cursor = cursor
        self.pageSize = pageSize
        self.changes = changes
    }
}

public struct SyncOutput: Sendable {
    public var epoch: UUID
    public var serverTime: HLC
    public var outcome: MergeOutcome
    public var page: PullPage
}

/// The whole request was refused; nothing was merged.
public struct SyncRejection: Error, Sendable {
    public enum Kind: Sendable { case clockSkew }
    public var kind: Kind
    public var message: String
    public var serverTime: HLC
}

/// Merge-then-pull for one user, with the clock-skew guard and the server's own HLC.
public final class SyncService: Sendable {
    public let store: any ServerStore
    /// How far ahead of the server's wall clock a change may be stamped.
    public let maxDrift: Duration
    /// Pages are clamped to this many changes (and 0 asks for it).
    public let maxPageSize: Int
    /// Bytes the changes of one page may take in the response body (`PullPage.defaultMaxBytes`);
    /// the refusals of the same response are taken off it.
    public let maxPageBytes: Int
    private let clock = Mutex(HybridClock())
    private let now: @Sendable () -> Date

    public init(store: any ServerStore, maxDrift: Duration = .seconds(60), maxPageSize: Int = 5_000,
                maxPageBytes: Int = PullPage.defaultMaxBytes, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.maxDrift = maxDrift
        self.maxPageSize = maxPageSize
        self.maxPageBytes = maxPageBytes
        self.now = now
    }

    /// The server's HLC now (ticks the clock).
    public func serverTime() -> HLC {
        let wall = UInt64(max(0, now().milliseconds))
        return clock.withLock { $0.tick(wallMilliseconds: wall) }
    }

    public func sync(_ input: SyncInput, user: User) throws -> SyncOutput {
        let date = now()
        let wall = UInt64(max(0, date.milliseconds))
        let driftMs = UInt64(maxDrift.components.seconds) * 1000
        if let ahead = input.changes.map(\.change.hlc).max(), ahead.milliseconds > wall + driftMs {
            let seconds = Double(ahead.milliseconds - wall) / 1000
            throw SyncRejection(kind: .clockSkew,
                              message: "a change is stamped \(String(format: "%.1f", seconds)) s ahead of the server clock (the limit is \(driftMs / 1000) s): fix the device clock; unacknowledged changes may be re-stamped after the server time and pushed again",
                              serverTime: serverTime())
        }
        // The store refuses, one by one, what the user may not write (see `PushMerge`).
        let outcome = try store.merge(changes: input.changes, user: user, node: input.node, now: date)
        if outcome.maxHLC > .zero { clock.withLock { $0.observe(outcome.maxHLC) } }
        let size = input.pageSize == 0 ? maxPageSize : min(Int(input.pageSize), maxPageSize)
        // The epoch comes with the page (one round trip on PostgreSQL). A replica that knew
        // another epoch holds a cursor from other data: it gets everything again, from 0.
        let bytes = maxPageBytes - outcome.refusals.reduce(0) { $0 + WireSize.bound(ofRefusal: $1.reason) }
        var (epoch, page) = try store.epochAndPull(user: user, cursor: input.cursor, limit: size, maxBytes: bytes)
        if let known = input.knownEpoch, known != epoch, input.cursor != 0 {
            (epoch, page) = try store.epochAndPull(user: user, cursor: 0, limit: size, maxBytes: bytes)
        }
        return SyncOutput(epoch: epoch, serverTime: serverTime(), outcome: outcome, page: page)
    }
}
