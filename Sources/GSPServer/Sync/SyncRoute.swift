import Foundation
import GSPCore
import GSPWire

/// `POST /v1/sync`: a request frame in, a response frame (or an error frame) out.
///
/// Statuses: 200 with a response frame; 400 malformed frame; 413 frame over the limits;
/// 415 a body not labelled `application/x-gsp-frame`;
/// 422 clock skew (the error frame carries the server time); 401/403 auth; 503 the database
/// is unreachable, or cannot store anything (its disk is full: with Retry-After); 500 another
/// store failure (nothing was acknowledged: retry). Store failures are logged for the operator;
/// the client is told only to retry later.
/// Every non-200 body is an `ErrorMessage` frame.
enum SyncRoute {
    static let contentType = "application/x-gsp-frame"

    static func route(service: SyncService) -> Route {
        Route("POST", "/v1/sync", access: .user, maxBodyBytes: nil, errorResponse: { status, message in
            errorFrame(status, code: status == 401 ? .unauthorized : status == 403 ? .forbidden : status == 413 ? .tooLarge : .internalError, message)
        }) { request, user in
            guard let user else { return errorFrame(401, code: .unauthorized, "no user") }
            // Refuse what is not a frame by its label, before reading it: a form or JSON posted here is a client bug.
            let type = request.header("content-type") ?? ""
            guard type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == contentType else {
                return errorFrame(415, code: .malformedFrame,
                                  "POST /v1/sync takes Content-Type: \(contentType), not '\(type)'; nothing was changed")
            }
            let message: Message
            do {
                message = try Frame.decode(request.body)
            } catch let error as WireError {
                return errorFrame(error.code == .tooLarge ? 413 : 400, code: error.code, "the request frame was refused: \(error); nothing was changed")
            } catch {
                return errorFrame(400, code: .malformedFrame, "the request frame was refused: \(error); nothing was changed")
            }
            guard case .request(let sync) = message else {
                return errorFrame(400, code: .unknownMessageKind, "POST /v1/sync takes a sync request frame; nothing was changed")
            }
            let input = SyncInput(node: sync.node, knownEpoch: sync.knownEpoch, cursor: sync.cursor, pageSize: sync.pageSize,
                                  changes: sync.changes.map { IncomingChange(seq: $0.seq, change: $0.change) })
            var response: HTTPResponse
            do {
                let output = try service.sync(input, user: user)
                let answer = SyncResponse(
                    epoch: output.epoch, serverTime: output.serverTime, acknowledged: output.outcome.acknowledged,
                    refusals: output.outcome.refusals.map { Refusal(seq: $0.seq, code: code(of: $0.kind), reason: $0.reason) },
                    changes: output.page.changes, dropped: output.page.dropped.map { DroppedRow(table: $0.table, row: $0.row) },
                    nodes: output.page.nodes, cursor: output.page.cursor, hasMore: output.page.hasMore)
                response = HTTPResponse(status: 200, contentType: contentType, body: Frame.encode(.response(answer), level: 1))
                response.changesOut = output.page.changes.count
            } catch let refusal as SyncRejection {
                response = errorFrame(422, code: .clockSkew, refusal.message, serverTime: refusal.serverTime)
            } catch let unavailable as ServerStoreUnavailable {
                ServerLog.error("a sync from \(user.name) got 503: \(unavailable.message)")
                response = errorFrame(503, code: .internalError, ServerStoreUnavailable.clientMessage)
                response.headers["Retry-After"] = "2"
            } catch {
                let failure = StoreFailure(error, doing: "a sync from \(user.name) (\(sync.changes.count) changes)")
                ServerLog.error(failure.operatorMessage)
                response = errorFrame(failure.status, code: .internalError, failure.clientMessage)
                if let seconds = failure.retryAfter { response.headers["Retry-After"] = String(seconds) }
            }
            response.changesIn = sync.changes.count
            return response
        }
    }

    static func errorFrame(_ status: Int, code: ErrorCode, _ message: String, serverTime: HLC? = nil) -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType,
                     body: Frame.encode(.error(ErrorMessage(code: code, message: message, serverTime: serverTime)), level: 1))
    }

    static func code(of kind: ChangeRefusal.Kind) -> RefusalCode {
        switch kind {
        case .outOfScope: .outOfScope
        case .invalidValue: .invalidValue
        case .clockSkew: .clockSkew
        case .forbidden: .forbidden
        case .other: .other
        }
    }
}
