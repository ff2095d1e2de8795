@preconcurrency import CMicroHTTPD
import Foundation

extension HTTPServer {
    /// What becomes of a request once its headers are in (its body not yet read).
    public enum Admission: Sendable {
        /// Store the body (413 past `maxBodyBytes`, or past the server's own limit if lower) and
        /// hand the whole request to `handler`. `errorResponse` words the server's own refusals
        /// (413, or 503 when the bodies stored at once reach their cap) as the route does.
        case read(maxBodyBytes: Int, errorResponse: @Sendable (Int, String) -> HTTPResponse = HTTPResponse.error, handler: Handler)
        /// Answer with this; the body is thrown away as it arrives, never stored.
        case refuse(HTTPResponse)
    }

    /// Per-request state kept in libmicrohttpd's `con_cls` slot from the first call to completion.
    final class Pending {
        let started = ContinuousClock.now
        var request: HTTPRequest
        /// The `Content-Length` the client declared (`Int.max` past 64 bits); nil for none or chunked.
        let declaredLength: Int?
        var handler: Handler?
        var maxBodyBytes = 0
        var errorResponse: @Sendable (Int, String) -> HTTPResponse = HTTPResponse.error
        /// The answer decided before the body was read; the body is then thrown away, not stored.
        var refusal: HTTPResponse?
        var discardedBytes = 0
        /// Body bytes counted in the server's `bufferedBodyBytes`, given back on completion.
        var charged = 0
        /// The answer was queued (the handler runs or ran): counted in `inFlight`.
        var answering = false
        init(request: HTTPRequest) {
            self.request = request
            // A length that does not fit (or does not parse) is taken as the largest: refused, never waited for.
            declaredLength = request.header("content-length").map { Int($0.trimmingCharacters(in: .whitespaces)) ?? .max }
        }
    }

    /// A refused body is read and thrown away (so a client still sending gets to read the
    /// answer) up to this many bytes; past it, the answer goes at once and the connection closes.
    var maxDiscardedBodyBytes: Int { 4 * maxBodyBytes }

    func onRequest(_ connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                   data: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>,
                   context: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = context.pointee else {
            // First call: only the headers are in.
            if let record = cmhd_connection_context(connection) {
                Unmanaged<ConnectionRecord>.fromOpaque(record).takeUnretainedValue().requests += 1
            }
            let request = HTTPRequest(method: method.map { String(cString: $0) } ?? "", path: url.map { String(cString: $0) } ?? "/",
                                      query: Self.values(connection, .GET_ARGUMENT_KIND),
                                      headers: Self.values(connection, .HEADER_KIND, lowercased: true), overTLS: scheme == "https")
            let pending = Pending(request: request)
            context.pointee = Unmanaged.passRetained(pending).toOpaque()
            return admit(pending, on: connection)
        }
        let pending = Unmanaged<Pending>.fromOpaque(raw).takeUnretainedValue()
        let count = size.pointee
        size.pointee = 0
        if pending.answering { return .YES }   // answered early: what still arrives is not ours
        if count > 0 {
            if pending.refusal == nil, let data { store(UnsafeRawPointer(data), count: count, for: pending) }
            if pending.refusal != nil {
                pending.discardedBytes += count
                // A body without end (chunked) is not read forever: answer, or close if too late to.
                if pending.discardedBytes > maxDiscardedBodyBytes { return answer(pending, closing: true, on: connection) }
            }
            return .YES
        }
        return answer(pending, closing: false, on: connection)
    }

    /// Decides from the headers; a refusal goes at once when no body will come before it (the
    /// client waits for 100 Continue) or the declared body is past what is worth throwing away.
    /// Answering before the body is read closes the connection on unread data, and a client
    /// still sending then sees a reset, not the answer: so otherwise the body is read and thrown away.
    private func admit(_ pending: Pending, on connection: OpaquePointer) -> MHD_Result {
        switch screen(pending.request) {
        case .refuse(let response):
            pending.refusal = response
        case .read(let limit, let errorResponse, let handler):
            pending.handler = handler
            pending.maxBodyBytes = min(limit, maxBodyBytes)
            pending.errorResponse = errorResponse
            if let declared = pending.declaredLength {
                if declared > pending.maxBodyBytes {
                    pending.refusal = tooLarge(pending)
                } else if declared > 0 && !state.withLock({ $0.bufferedBodyBytes + declared <= maxBufferedBodyBytes }) {
                    pending.refusal = busy(pending)
                }
            }
        }
        guard pending.refusal != nil else { return .YES }
        let waitsForContinue = pending.request.header("expect")?.lowercased() == "100-continue"
        if waitsForContinue || (pending.declaredLength ?? 0) > maxDiscardedBodyBytes {
            return answer(pending, closing: true, on: connection)
        }
        return .YES
    }

    /// Appends to the body, or turns the request into a refusal (413, 503) and drops what was stored.
    private func store(_ data: UnsafeRawPointer, count: Int, for pending: Pending) {
        var refusal: HTTPResponse?
        if pending.request.body.count + count > pending.maxBodyBytes {
            refusal = tooLarge(pending)
        } else if !state.withLock({ s in
            guard s.bufferedBodyBytes + count <= maxBufferedBodyBytes else { return false }
            s.bufferedBodyBytes += count
            return true
        }) {
            refusal = busy(pending)
        }
        guard let refusal else {
            pending.charged += count
            if pending.request.body.isEmpty, let declared = pending.declaredLength { pending.request.body.reserveCapacity(declared) }
            pending.request.body.append(data.assumingMemoryBound(to: UInt8.self), count: count)
            return
        }
        pending.refusal = refusal
        pending.request.body = Data()
        let charged = pending.charged
        pending.charged = 0
        state.withLock { $0.bufferedBodyBytes -= charged }
    }

    /// Queues the answer. `closing`: sent before the body was read, so the connection closes after it.
    private func answer(_ pending: Pending, closing: Bool, on connection: OpaquePointer) -> MHD_Result {
        // From here the request is in progress: a stop waits for its answer. One still arriving
        // (a client that may never finish it) does not hold a stop up.
        pending.answering = true
        state.withLock { $0.inFlight += 1 }
        var response = pending.refusal ?? pending.handler.map { $0(pending.request) } ?? .error(500, "no handler")
        if closing { response.headers["Connection"] = "close" }
        observer?(pending.request, response, ContinuousClock.now - pending.started)
        return send(response, on: connection)
    }

    private func tooLarge(_ pending: Pending) -> HTTPResponse {
        pending.errorResponse(413, "the request body is larger than the limit of \(pending.maxBodyBytes) bytes"
                              + (pending.maxBodyBytes == maxBodyBytes ? ": push fewer changes per request" : " for \(pending.request.path)"))
    }

    private func busy(_ pending: Pending) -> HTTPResponse {
        var response = pending.errorResponse(503, "the server holds as many request bodies in memory as it may "
                                             + "(\(maxBufferedBodyBytes) bytes, --max-body-memory-mib): try again shortly")
        response.headers["Retry-After"] = "1"
        return response
    }
}
