import Foundation
import GSPCore
import GSPWire

/// Encodes rounds as GSPWire request frames and reads response and error frames
/// (protocol/SPEC.md).
public struct WireSyncCodec: SyncCodec {
    public init() {}

    public func encode(_ round: SyncRound) throws -> Data {
        Frame.encode(.request(SyncRequest(node: round.node, schemaVersion: round.schemaVersion, knownEpoch: round.knownEpoch,
                                          cursor: round.cursor, pageSize: round.pageSize,
                                          changes: round.changes.map { PushedChange(seq: $0.seq, change: $0.change) })))
    }

    public func decode(_ frame: Data) throws -> SyncAnswer {
        let message: Message
        do { message = try Frame.decode(frame) } catch let error where error.code == .tooLarge {
            // A frame from a GSP server, over a limit: the URL is right; the server built it too large.
            throw SyncError(.protocolError, "the server's answer is over the protocol's limits (\(error)), so it could not be read; "
                + "nothing from it was applied: the server may be an older gsp-server that does not size its pages; ask its administrator to upgrade it")
        } catch {
            throw SyncError(.protocolError, "the server's answer could not be read (\(error)): is the server URL right, and gsp up to date?")
        }
        switch message {
        case .response(let r):
            return .reply(SyncReply(epoch: r.epoch, serverTime: r.serverTime, acknowledged: r.acknowledged,
                                    refusals: r.refusals.map { SyncRefusal(seq: $0.seq, code: Self.name(of: $0.code), reason: $0.reason) },
                                    changes: r.changes, dropped: r.dropped.map { RowReference(table: $0.table, row: $0.row) },
                                    nodes: r.nodes, cursor: r.cursor, hasMore: r.hasMore))
        case .error(let e):
            if e.code == .unauthorized {
                throw SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'")
            }
            return .failure(SyncFailure(code: e.code.name, message: e.message, serverTime: e.serverTime))
        case .request:
            throw SyncError(.protocolError, "the server answered with a request frame: is the server URL right?")
        }
    }

    /// Refusal codes as stored in the replica's `refused` table and shown by `gsp pending`.
    static func name(of code: RefusalCode) -> String {
        switch code {
        case .outOfScope: "outOfScope"
        case .invalidValue: "invalidValue"
        case .clockSkew: SyncRefusal.clockSkew
        case .forbidden: "forbidden"
        case .other: "other"
        }
    }
}
