import Foundation
import Testing
import GSPClient
import GSPCore
import GSPWire

/// The codec against real GSPWire frames.
@Suite struct WireSyncCodecTests {
    let codec = WireSyncCodec()

    @Test func roundsBecomeRequestFrames() throws {
        let node = NodeID(), epoch = UUID()
        let change = Change(table: "deals", row: RowID(), field: "value", value: .money(Money(minorUnits: 4_500_000, currency: "USD")),
                            hlc: HLC(milliseconds: 1_780_000_000_000, counter: 3), node: node, prev: HLC(milliseconds: 5))
        let round = SyncRound(node: node, schemaVersion: Schema.version, knownEpoch: epoch, cursor: 42, pageSize: 500,
                              changes: [PendingChange(seq: 7, change: change)])
        guard case .request(let request) = try Frame.decode(try codec.encode(round)) else { Issue.record("not a request"); return }
        #expect(request == SyncRequest(node: node, knownEpoch: epoch, cursor: 42, pageSize: 500, changes: [PushedChange(seq: 7, change: change)]))
    }

    @Test func responseAndErrorFramesBecomeAnswers() throws {
        let epoch = UUID(), node = NodeID(), row = RowID()
        let change = Change(table: "kpis", row: row, field: "target", value: .real(-0.0), hlc: HLC(milliseconds: 9), node: node)
        let response = SyncResponse(epoch: epoch, serverTime: HLC(milliseconds: 10), acknowledged: 7,
                                    refusals: [Refusal(seq: 6, code: .outOfScope, reason: "bob's deal")], changes: [change],
                                    dropped: [DroppedRow(table: "deals", row: row)], nodes: [node: "bob"], cursor: 99, hasMore: true)
        let answer = try codec.decode(Frame.encode(.response(response)))
        #expect(answer == .reply(SyncReply(epoch: epoch, serverTime: HLC(milliseconds: 10), acknowledged: 7,
                                           refusals: [SyncRefusal(seq: 6, code: "outOfScope", reason: "bob's deal")], changes: [change],
                                           dropped: [RowReference(table: "deals", row: row)], nodes: [node: "bob"], cursor: 99, hasMore: true)))
        let skew = try codec.decode(Frame.encode(.error(ErrorMessage(code: .clockSkew, message: "ahead by 3600 s", serverTime: HLC(milliseconds: 10)))))
        #expect(skew == .failure(SyncFailure(code: SyncFailure.clockSkew, message: "ahead by 3600 s", serverTime: HLC(milliseconds: 10))))
    }

    @Test func unauthorizedAndGarbageAreClearErrors() throws {
        let denied = #expect(throws: SyncError.self) { try codec.decode(Frame.encode(.error(ErrorMessage(code: .unauthorized, message: "bad token")))) }
        #expect(denied?.message == "token rejected: run 'gsp login --server URL --token TOKEN'")
        let garbage = #expect(throws: SyncError.self) { try codec.decode(Data("<html>502 Bad Gateway</html>".utf8)) }
        #expect(garbage?.code == .protocolError)
    }

    /// A frame over the limits came from a GSP server: the message says so, not "is the URL right".
    @Test func anAnswerOverTheLimitsIsNotBlamedOnTheURL() throws {
        let response = SyncResponse(epoch: UUID(), serverTime: HLC(milliseconds: 10), acknowledged: 0, cursor: 1, hasMore: false)
        var frame = Frame.encodeBytes(.response(response))
        frame += [UInt8](repeating: 0, count: Limits.standard.compressedBytes)
        let error = #expect(throws: SyncError.self) { try codec.decode(Data(frame)) }
        #expect(error?.message.contains("over the protocol's limits") == true)
        #expect(error?.message.contains("URL") == false)
    }
}
