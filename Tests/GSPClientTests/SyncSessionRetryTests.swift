import Foundation
import Testing
import GSPClient
import GSPCore

/// The sync state machine after transient failures (retry with backoff) and too-large rounds
/// (halve the batch), without a network.
@Suite struct SyncSessionRetryTests {
    let node = NodeID()
    let epoch = UUID()
    let policy = RetryPolicy(maxRetries: 2, firstDelay: .seconds(1), maxDelay: .seconds(30))

    func pending(_ seqs: ClosedRange<UInt64>) -> [PendingChange] {
        seqs.map { PendingChange(seq: $0, change: Change(table: "deals", row: RowID(), field: "title", value: .text("t\($0)"),
                                                          hlc: HLC(milliseconds: 10, counter: UInt16($0)), node: node)) }
    }

    @Test func aNetworkErrorWaitsThenSendsTheSameRoundAgain() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 4, retry: policy)
        guard case .send(let round) = session.onPending(pending(1...3)) else { Issue.record("expected a send"); return }
        #expect(session.onTransportError(SyncError(.transport, "cannot reach host")) == .wait(.seconds(1)))
        #expect(session.summary.nextRetry == SyncRetry(reason: "cannot reach host", delay: .seconds(1), attempt: 2, of: 3))
        #expect(session.onWaited() == .send(round))
        #expect(session.summary.nextRetry == nil)
        #expect(session.onTransportError(SyncError(.unavailable, "HTTP 503")) == .wait(.seconds(2)))
        #expect(session.onWaited() == .send(round))
        let reply = SyncReply(epoch: epoch, serverTime: HLC(milliseconds: 9), acknowledged: 3, cursor: 5)
        #expect(session.onReply(reply) == .apply(reply, retry: []))
        guard case .done(let summary) = session.onApplied(PullResult()) else { Issue.record("expected done"); return }
        #expect(summary.retries == 2)
        #expect(summary.pushed == 3)
    }

    @Test func itGivesUpAfterTheLastRetryAndSaysSo() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, retry: policy)
        _ = session.onPending([])
        for _ in 0..<2 {
            guard case .wait = session.onTransportError(SyncError(.transport, "cannot reach host")) else { Issue.record("expected a wait"); return }
            _ = session.onWaited()
        }
        guard case .fail(let error) = session.onTransportError(SyncError(.transport, "cannot reach host")) else { Issue.record("expected fail"); return }
        #expect(error.code == .transport)
        #expect(error.message == "cannot reach host (gave up after 3 attempts)")
    }

    @Test func aServerFailureIsRetriedAndRetryAfterIsHonouredUpToTheCap() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, retry: policy)
        _ = session.onPending([])
        #expect(session.onFailure(SyncFailure(code: SyncFailure.internalError, message: "store busy")) == .wait(.seconds(1)))
        _ = session.onWaited()
        #expect(session.onTransportError(SyncError(.unavailable, "HTTP 503", retryAfter: .seconds(120))) == .wait(.seconds(30)))
    }

    @Test func certificateAndTokenErrorsAreNotRetried() {
        for code in [SyncError.Code.tls, .tokenRejected, .protocolError, .server] {
            var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, retry: policy)
            _ = session.onPending([])
            guard case .fail(let error) = session.onTransportError(SyncError(code, "no")) else { Issue.record("\(code) was retried"); continue }
            #expect(error.code == code)
        }
    }

    @Test func aTooLargeRoundIsSentAgainInHalves() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, pushLimit: 8, retry: policy)
        _ = session.onPending(pending(1...8))
        #expect(session.onTransportError(SyncError(.tooLarge, "HTTP 413")) == .readPending(limit: 4))
        guard case .send(let half) = session.onPending(pending(1...8)) else { Issue.record("expected a send"); return }
        #expect(half.changes.map(\.seq) == [1, 2, 3, 4])
        // The protocol's own limit error does the same.
        #expect(session.onFailure(SyncFailure(code: SyncFailure.tooLarge, message: "over the limit")) == .readPending(limit: 2))
        guard case .send(let quarter) = session.onPending(pending(1...8)) else { Issue.record("expected a send"); return }
        let reply = SyncReply(epoch: epoch, serverTime: HLC(milliseconds: 9), acknowledged: 2, cursor: 1)
        #expect(quarter.changes.count == 2)
        _ = session.onReply(reply)
        // The smaller batch was full and taken: keep pushing in batches of two.
        #expect(session.onApplied(PullResult()) == .readPending(limit: 2))
        #expect(session.summary.batchSplits == 2)
    }

    @Test func aSingleChangeTooLargeFailsWithWhatToDo() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, pushLimit: 1, retry: policy)
        _ = session.onPending(pending(1...1))
        guard case .fail(let error) = session.onTransportError(SyncError(.tooLarge, "the server refused the request as too large (HTTP 413)")) else {
            Issue.record("expected fail"); return
        }
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("even with 1 change(s) in it"))
        #expect(error.message.contains("ask your administrator"))
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy(maxRetries: 9, firstDelay: .milliseconds(500), maxDelay: .seconds(5))
        #expect((1...6).map { policy.delay(beforeRetry: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(RetryPolicy.standard.maxRetries == 4)
    }
}
