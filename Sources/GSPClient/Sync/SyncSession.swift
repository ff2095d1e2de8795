import Foundation
import GSPCore
import GSPWire

/// The sync protocol as a pure state machine: it decides what to do next from what
/// happened, and does no I/O. A driver (`Replica.sync`) performs each `Action` and reports
/// back with the matching `on...` call.
///
/// One session: push pending changes in batches while pulling pages, until nothing is left
/// to push and the server has no more; re-stamp and retry once on a clock-skew error; on a
/// new server epoch, re-queue everything and start the pull over (once); send a round again
/// after a transient failure (network, busy server) with backoff; halve the batch when the
/// server refuses a round as too large.
public struct SyncSession: Sendable {
    public enum State: Equatable, Sendable {
        /// Waiting for the pending changes of the next round.
        case readingPending
        /// A round is on the wire.
        case awaitingReply(pushed: Int)
        /// The driver is applying a reply to the replica; `retry` are skew-refused changes kept for a re-stamp.
        case applying(SyncReply, pushed: Int, retry: [UInt64])
        /// The driver is re-stamping after a clock-skew error.
        case restamping
        /// The driver is re-queueing everything for a new epoch (nil: the server did not say which).
        case resettingEpoch(UUID?)
        /// The driver waits before sending this round again.
        case waiting(SyncRound, pushed: Int)
        case finished
        case failed(SyncError)
    }

    public enum Action: Equatable, Sendable {
        /// Read up to `limit` pending changes and call `onPending`.
        case readPending(limit: Int)
        /// Encode and send this round, then call `onReply`, `onFailure` or `onTransportError`.
        case send(SyncRound)
        /// Record the refusals, acknowledge, apply the page and store cursor and epoch, in that
        /// order, in one transaction; the `retry` sequences stay pending (neither refused nor
        /// acknowledged) to be re-stamped. Then call `onApplied`.
        case apply(SyncReply, retry: [UInt64])
        /// `Replica.restamp(after:)`, then `onRestamped`.
        case restamp(after: HLC)
        /// `Replica.resetForNewEpoch`, then `onEpochReset`.
        case resetEpoch(UUID?)
        /// Wait this long (a transient failure), then call `onWaited`.
        case wait(Duration)
        case done(SyncSummary)
        case fail(SyncError)
    }

    public private(set) var state: State = .readingPending
    public private(set) var summary = SyncSummary()
    let node: NodeID
    /// Changes per round; halved when the server refuses a round as too large.
    private(set) var pushLimit: Int
    let pageSize: UInt32
    /// Bytes the pushed changes of one round may take in its request body.
    let maxRoundBytes: Int
    let retry: RetryPolicy
    /// Transient failures in a row for the round on the wire.
    var retries = 0
    var knownEpoch: UUID?
    var cursor: UInt64
    var restamped = false
    var epochReset = false
    var lastBatchWasFull = false
    var lastPushedSeq: UInt64 = 0
    var requeueRounds = 0
    /// The round on the wire, kept to send again after a transient failure.
    var lastRound: SyncRound?

    public init(node: NodeID, knownEpoch: UUID?, cursor: UInt64, pushLimit: Int = 1_000, pageSize: UInt32 = 1_000,
                maxRoundBytes: Int = WireSize.bodyBudget() - (1 << 20), retry: RetryPolicy = .standard) {
        self.node = node
        self.maxRoundBytes = maxRoundBytes
        self.retry = retry
        self.knownEpoch = knownEpoch
        self.cursor = cursor
        self.pushLimit = max(1, pushLimit)
        self.pageSize = max(1, pageSize)
    }

    /// The first action.
    public func start() -> Action { .readPending(limit: pushLimit) }

    /// The pending changes of the next round; `refusedLocally` were refused before sending
    /// (see `Replica.pendingChangesToSend`) and count as refused.
    public mutating func onPending(_ pending: [PendingChange], refusedLocally: Int = 0) -> Action {
        guard case .readingPending = state else { return unexpected("pending changes") }
        summary.refused += refusedLocally
        // A round ends at `pushLimit` changes or before its changes could pass `maxRoundBytes`
        // (at least one change): large values need not wait for the server's 413 to be split.
        var batch = Array(pending.prefix(pushLimit)), bytes = 0
        if let cut = batch.indices.first(where: { i in
            bytes += WireSize.bound(of: batch[i].change) + 10
            return i > 0 && bytes > maxRoundBytes
        }) { batch.removeSubrange(cut...) }
        lastBatchWasFull = pending.count >= pushLimit || batch.count < pending.count
        lastPushedSeq = batch.map(\.seq).max() ?? 0
        let round = SyncRound(node: node, schemaVersion: Schema.version, knownEpoch: knownEpoch, cursor: cursor,
                              pageSize: pageSize, changes: batch)
        lastRound = round
        retries = 0
        state = .awaitingReply(pushed: round.changes.count)
        return .send(round)
    }

    public mutating func onReply(_ reply: SyncReply) -> Action {
        guard case .awaitingReply(let pushed) = state else { return unexpected("a reply") }
        summary.rounds += 1
        retries = 0
        if let known = knownEpoch, known != reply.epoch {
            // The server's store was replaced: what it says about our cursor and pushes is moot.
            guard !epochReset else {
                return fail(SyncError(.server, "the server's epoch changed twice during one sync: try again later, or ask the administrator"))
            }
            state = .resettingEpoch(reply.epoch)
            return .resetEpoch(reply.epoch)
        }
        // Changes refused as stamped in the future get one re-stamp, like a skew error for the whole round.
        let retry = restamped ? [] : reply.refusals.filter { $0.code == SyncRefusal.clockSkew }.map(\.seq)
        state = .applying(reply, pushed: pushed, retry: retry)
        return .apply(reply, retry: retry)
    }

    public mutating func onApplied(_ result: PullResult) -> Action {
        guard case .applying(let reply, let pushed, let retry) = state else { return unexpected("an applied page") }
        summary.pushed += pushed - reply.refusals.count
        summary.refused += reply.refusals.count - retry.count - result.relayedRefusals
        summary.relayedNotTaken += result.relayedRefusals
        summary.pulled += reply.changes.count
        summary.applied += result.applied
        summary.droppedRows += result.droppedRows
        knownEpoch = reply.epoch
        cursor = reply.cursor
        if !retry.isEmpty {
            restamped = true
            state = .restamping
            return .restamp(after: reply.serverTime)
        }
        // More to push only if the server took this batch: never loop on a batch it keeps refusing to acknowledge.
        let morePush = lastBatchWasFull && reply.acknowledged >= lastPushedSeq
        // Refusals put back in pending (their deal became ours) go up in this sync, a bounded number of times.
        let requeued = result.requeued > 0 && requeueRounds < 3
        if requeued { requeueRounds += 1 }
        if reply.hasMore || morePush || requeued {
            state = .readingPending
            return .readPending(limit: pushLimit)
        }
        state = .finished
        return .done(summary)
    }

    public mutating func onFailure(_ failure: SyncFailure) -> Action {
        guard case .awaitingReply = state else { return unexpected("an error") }
        summary.rounds += 1
        if failure.code == SyncFailure.tooLarge { return split(failure.message) }
        if failure.code == SyncFailure.internalError {
            return retryOrFail(SyncError(.unavailable, "the server failed: \(failure.message)"))
        }
        if failure.code == SyncFailure.clockSkew, let serverTime = failure.serverTime, !restamped {
            restamped = true
            state = .restamping
            return .restamp(after: serverTime)
        }
        if failure.code == SyncFailure.epochMismatch, !epochReset {
            state = .resettingEpoch(nil)
            return .resetEpoch(nil)
        }
        let again = failure.code == SyncFailure.clockSkew ? " (after re-stamping once): check this device's clock" : ""
        return fail(SyncError(.server, "the server refused the sync: \(failure.message)\(again)"))
    }

    public mutating func onRestamped(_ count: Int) -> Action {
        guard case .restamping = state else { return unexpected("a re-stamp") }
        summary.restamped += count
        state = .readingPending
        return .readPending(limit: pushLimit)
    }

    public mutating func onEpochReset(_ requeued: Int) -> Action {
        guard case .resettingEpoch(let epoch) = state else { return unexpected("an epoch reset") }
        epochReset = true
        summary.requeuedForNewEpoch += requeued
        knownEpoch = epoch
        cursor = 0
        state = .readingPending
        return .readPending(limit: pushLimit)
    }

    /// The round could not be exchanged (network down, busy server, too large, token rejected, bad frame).
    public mutating func onTransportError(_ error: SyncError) -> Action {
        guard case .awaitingReply = state else { return unexpected("a transport error") }
        if error.code == .tooLarge { return split(error.message) }
        return error.isTransient ? retryOrFail(error) : fail(error)
    }

    /// The wait asked by `.wait` is over: the same round goes again.
    public mutating func onWaited() -> Action {
        guard case .waiting(let round, let pushed) = state else { return unexpected("the end of a wait") }
        summary.nextRetry = nil
        state = .awaitingReply(pushed: pushed)
        return .send(round)
    }

    /// Waits and sends the round on the wire again, unless it failed too often in a row.
    private mutating func retryOrFail(_ error: SyncError) -> Action {
        guard case .awaitingReply(let pushed) = state, let round = lastRound else { return unexpected("a retry") }
        guard retries < retry.maxRetries else {
            let tries = retries + 1
            return fail(SyncError(error.code, "\(error.message) (gave up after \(tries) attempt\(tries == 1 ? "" : "s"))"))
        }
        retries += 1
        summary.retries += 1
        let delay = retry.delay(beforeRetry: retries, serverAsked: error.retryAfter)
        summary.nextRetry = SyncRetry(reason: error.message, delay: delay, attempt: retries + 1, of: retry.maxRetries + 1)
        state = .waiting(round, pushed: pushed)
        return .wait(delay)
    }

    /// The server refused the round as too large: push half as many changes per round.
    private mutating func split(_ why: String) -> Action {
        guard case .awaitingReply(let pushed) = state else { return unexpected("a too-large answer") }
        guard pushed > 1 else {
            return fail(SyncError(.tooLarge, "\(why), even with \(pushed) change(s) in it: the server or a proxy in front of it limits "
                + "the request size too tightly; ask your administrator to allow at least 17 MiB per request (gsp-server's own limit)"))
        }
        pushLimit = max(1, pushed / 2)
        summary.batchSplits += 1
        state = .readingPending
        return .readPending(limit: pushLimit)
    }

    private mutating func fail(_ error: SyncError) -> Action {
        state = .failed(error)
        return .fail(error)
    }

    private mutating func unexpected(_ what: String) -> Action {
        fail(SyncError(.protocolError, "internal sync error: \(what) arrived in state \(state)"))
    }
}
