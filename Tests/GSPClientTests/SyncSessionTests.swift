import Foundation
import Testing
import GSPClient
import GSPCore

/// The sync state machine, event by event, without a network or a replica.
@Suite struct SyncSessionTests {
    let node = NodeID()
    let epoch = UUID()

    func pending(_ seqs: ClosedRange<UInt64>) -> [PendingChange] {
        seqs.map { PendingChange(seq: $0, change: Change(table: "deals", row: RowID(), field: "title", value: .text("t\($0)"),
                                                          hlc: HLC(milliseconds: 10, counter: UInt16($0)), node: node)) }
    }

    func reply(ack: UInt64 = 0, cursor: UInt64, hasMore: Bool = false, epoch: UUID? = nil, refusals: [SyncRefusal] = [], changes: Int = 0) -> SyncReply {
        SyncReply(epoch: epoch ?? self.epoch, serverTime: HLC(milliseconds: 100), acknowledged: ack, refusals: refusals,
                  changes: (0..<changes).map { _ in Change(table: "deals", row: RowID(), field: "f", value: .null, hlc: HLC(milliseconds: 50), node: NodeID()) },
                  cursor: cursor, hasMore: hasMore)
    }

    @Test func pushesThenPullsEveryPage() {
        var session = SyncSession(node: node, knownEpoch: nil, cursor: 7)
        #expect(session.start() == .readPending(limit: 1_000))
        let first = pending(1...3)
        guard case .send(let round) = session.onPending(first) else { Issue.record("expected a send"); return }
        #expect(round.changes == first)
        #expect(round.cursor == 7)
        #expect(round.knownEpoch == nil)
        #expect(round.schemaVersion == Schema.version)
        let page1 = reply(ack: 3, cursor: 20, hasMore: true, refusals: [SyncRefusal(seq: 2, code: "scope", reason: "not yours")], changes: 4)
        #expect(session.onReply(page1) == .apply(page1, retry: []))
        #expect(session.onApplied(PullResult(applied: 4)) == .readPending(limit: 1_000))
        guard case .send(let second) = session.onPending([]) else { Issue.record("expected a send"); return }
        #expect(second.cursor == 20)
        #expect(second.knownEpoch == epoch)
        let page2 = reply(cursor: 25, changes: 2)
        #expect(session.onReply(page2) == .apply(page2, retry: []))
        var expected = SyncSummary()
        (expected.rounds, expected.pushed, expected.refused, expected.pulled, expected.applied) = (2, 2, 1, 6, 5)
        #expect(session.onApplied(PullResult(applied: 1, ignored: 1)) == .done(expected))
        #expect(session.state == .finished)
    }

    /// Refusals of other writers' values sent again (after a restore) are not the user's.
    @Test func relayedRefusalsAreCountedApartFromTheUsersOwn() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        _ = session.onPending(pending(1...4))
        let page = reply(ack: 4, cursor: 9, refusals: [SyncRefusal(seq: 1, code: "forbidden", reason: "managers only"),
                                                       SyncRefusal(seq: 2, code: "forbidden", reason: "managers only"),
                                                       SyncRefusal(seq: 3, code: "outOfScope", reason: "not yours")])
        #expect(session.onReply(page) == .apply(page, retry: []))
        guard case .done(let summary) = session.onApplied(PullResult(relayedRefusals: 2)) else { Issue.record("expected the end"); return }
        #expect(summary.pushed == 1)
        #expect(summary.refused == 1)
        #expect(summary.relayedNotTaken == 2)
    }

    @Test func clockSkewRestampsAndRetriesOnce() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        _ = session.onPending(pending(1...2))
        let serverTime = HLC(milliseconds: 1_000)
        #expect(session.onFailure(SyncFailure(code: SyncFailure.clockSkew, message: "ahead by 86400 s", serverTime: serverTime)) == .restamp(after: serverTime))
        #expect(session.onRestamped(2) == .readPending(limit: 1_000))
        guard case .send = session.onPending(pending(1...2)) else { Issue.record("expected a retry"); return }
        guard case .fail(let error) = session.onFailure(SyncFailure(code: SyncFailure.clockSkew, message: "ahead by 86400 s", serverTime: serverTime)) else {
            Issue.record("a second skew must fail"); return
        }
        #expect(error.message.contains("check this device's clock"))
        #expect(session.summary.restamped == 2)
    }

    @Test func changesRefusedForSkewStayPendingForOneRestamp() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        _ = session.onPending(pending(1...3))
        let skewed = reply(ack: 3, cursor: 4, refusals: [SyncRefusal(seq: 2, code: SyncRefusal.clockSkew, reason: "ahead"),
                                                         SyncRefusal(seq: 3, code: "outOfScope", reason: "bob's deal")])
        #expect(session.onReply(skewed) == .apply(skewed, retry: [2]))
        #expect(session.onApplied(PullResult()) == .restamp(after: skewed.serverTime))
        #expect(session.onRestamped(1) == .readPending(limit: 1_000))
        _ = session.onPending(pending(2...2))
        // A second skew refusal is recorded like any other.
        let again = reply(ack: 2, cursor: 4, refusals: [SyncRefusal(seq: 2, code: SyncRefusal.clockSkew, reason: "ahead")])
        #expect(session.onReply(again) == .apply(again, retry: []))
        guard case .done(let summary) = session.onApplied(PullResult()) else { Issue.record("expected done"); return }
        #expect(summary.refused == 2)
        #expect(summary.pushed == 1)
    }

    @Test func anEpochMismatchErrorStartsOverWithoutAnEpoch() {
        var session = SyncSession(node: node, knownEpoch: UUID(), cursor: 80)
        _ = session.onPending([])
        #expect(session.onFailure(SyncFailure(code: SyncFailure.epochMismatch, message: "restored")) == .resetEpoch(nil))
        #expect(session.onEpochReset(3) == .readPending(limit: 1_000))
        guard case .send(let round) = session.onPending(pending(1...3)) else { Issue.record("expected a send"); return }
        #expect(round.knownEpoch == nil)
        #expect(round.cursor == 0)
    }

    @Test func otherServerErrorsFailWithTheirMessage() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        _ = session.onPending([])
        guard case .fail(let error) = session.onFailure(SyncFailure(code: "schema", message: "upgrade gsp to schema 2")) else { Issue.record("expected fail"); return }
        #expect(error.code == .server)
        #expect(error.message.contains("upgrade gsp to schema 2"))
    }

    @Test func aNewEpochRequeuesAndPullsFromZeroOnce() {
        var session = SyncSession(node: node, knownEpoch: UUID(), cursor: 500)
        _ = session.onPending(pending(1...1))
        #expect(session.onReply(reply(ack: 1, cursor: 9)) == .resetEpoch(epoch))
        #expect(session.onEpochReset(40) == .readPending(limit: 1_000))
        guard case .send(let round) = session.onPending(pending(1...40)) else { Issue.record("expected a send"); return }
        #expect(round.cursor == 0)
        #expect(round.knownEpoch == epoch)
        guard case .fail(let error) = session.onReply(reply(cursor: 3, epoch: UUID())) else { Issue.record("a second epoch change must fail"); return }
        #expect(error.message.contains("epoch changed twice"))
    }

    @Test func fullBatchesKeepPushingOnlyWhileAcknowledged() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, pushLimit: 2)
        guard case .send(let round) = session.onPending(pending(1...2)) else { Issue.record("expected a send"); return }
        #expect(round.changes.count == 2)
        _ = session.onReply(reply(ack: 2, cursor: 1))
        #expect(session.onApplied(PullResult()) == .readPending(limit: 2))
        _ = session.onPending(pending(3...4))
        // The server kept seq 4 back: stop rather than push the same batch forever.
        _ = session.onReply(reply(ack: 3, cursor: 1))
        guard case .done = session.onApplied(PullResult()) else { Issue.record("expected done"); return }
    }

    /// Rounds are sized by bytes as well as by count, with at least one change each, and a
    /// round cut short counts as full: the rest goes up in the same sync.
    @Test func roundsEndBeforeTheirBytesPassTheBudget() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0, maxRoundBytes: 3_000)
        let big = (1...4).map { PendingChange(seq: UInt64($0), change: Change(table: "deals", row: RowID(), field: "next_step",
                                                                              value: .text(String(repeating: "x", count: 1_200)),
                                                                              hlc: HLC(milliseconds: 10), node: node)) }
        guard case .send(let first) = session.onPending(big) else { Issue.record("expected a send"); return }
        #expect(first.changes.map(\.seq) == [1, 2])
        _ = session.onReply(reply(ack: 2, cursor: 1))
        #expect(session.onApplied(PullResult()) == .readPending(limit: 1_000))
        var tight = SyncSession(node: node, knownEpoch: epoch, cursor: 0, maxRoundBytes: 1)
        guard case .send(let one) = tight.onPending(big) else { Issue.record("expected a send"); return }
        #expect(one.changes.map(\.seq) == [1])
    }

    @Test func eventsOutOfOrderFail() {
        var session = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        guard case .fail(let error) = session.onReply(reply(cursor: 1)) else { Issue.record("expected fail"); return }
        #expect(error.code == .protocolError)
        var other = SyncSession(node: node, knownEpoch: epoch, cursor: 0)
        _ = other.onPending([])
        guard case .fail(let transport) = other.onTransportError(SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'")) else {
            Issue.record("expected fail"); return
        }
        #expect(transport.code == .tokenRejected)
    }
}
