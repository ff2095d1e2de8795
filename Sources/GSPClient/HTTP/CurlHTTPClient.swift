#if canImport(CCurl)
@preconcurrency import CCurl
import Dispatch
import Foundation
import Synchronization

/// HTTP over libcurl: the one place GSPClient calls libcurl. Keeps one connection open
/// between requests; trusts `caCertificates` (PEM text, `CURLOPT_CAINFO_BLOB`), else `caFile`
/// (a PEM file, `CURLOPT_CAINFO`), instead of the system's authorities when given. Requests run one at a time, each on a blocking thread outside
/// Swift's cooperative pool; cancelling the calling task aborts the transfer.
public final class CurlHTTPClient: HTTPClient {
    public let caFile: String?
    public let caCertificates: String?
    /// The easy handle, created on first use; the lock serialises every use of it.
    private let easy = Mutex<CurlEasy?>(nil)

    public init(caFile: String? = nil, caCertificates: String? = nil) {
        self.caFile = caFile
        self.caCertificates = caCertificates
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let cancel = CancelFlag()
        do {
            return try await withTaskCancellationHandler {
                try await BlockingCall.run { try self.perform(request, cancel: cancel) }
            } onCancel: {
                cancel.set()
            }
        } catch is SyncError where cancel.isSet {
            throw CancellationError()
        }
    }

    /// Sends `request` and waits for the whole answer, blocking the calling thread; `cancel`
    /// aborts it from another thread.
    func perform(_ request: HTTPClientRequest, cancel: CancelFlag = CancelFlag()) throws(SyncError) -> HTTPClientResponse {
        try easy.withLock { (easy: inout CurlEasy?) throws(SyncError) -> HTTPClientResponse in
            if easy == nil { easy = try CurlEasy() }
            return try easy!.perform(request, caFile: caFile, caCertificates: caCertificates, cancel: cancel)
        }
    }
}

/// Set from any thread to abort a transfer in progress (libcurl polls it about once a second, and on every chunk).
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    init() {}
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// One libcurl easy handle and its error buffer; cleans both up in `deinit`.
/// Not Sendable: `CurlHTTPClient` uses it under its lock only.
final class CurlEasy {
    /// Answers larger than this are refused (a full 16 MiB frame fits many times over).
    static let maxResponseBytes = 80 << 20
    /// `curl_global_init` must run once before any handle; a Swift static runs once, thread-safely.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(SyncError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw SyncError(.transport, "cannot start libcurl: check that libcurl is installed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func perform(_ request: HTTPClientRequest, caFile: String?, caCertificates: String?, cancel: CancelFlag) throws(SyncError) -> HTTPClientResponse {
        // Reset clears the options of the last request but keeps its open connection and TLS session.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        // An empty Expect header: no 100-continue round trip before large bodies.
        for line in request.headers.map({ "\($0.key): \($0.value)" }) + ["Expect:"] {
            guard let longer = curl_slist_append(headers, line) else { throw SyncError(.transport, "out of memory building a request") }
            headers = longer
        }
        let milliseconds = max(1, Int(request.timeout.components.seconds * 1000 + request.timeout.components.attoseconds / 1_000_000_000_000_000))
        try check(ccurl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), request)
        try check(ccurl_set_string(handle, CURLOPT_URL, request.url.absoluteString), request)
        try check(ccurl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), request)
        try check(ccurl_set_long(handle, CURLOPT_NOSIGNAL, 1), request)
        try check(ccurl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds), request)
        try check(ccurl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 15_000)), request)
        try check(ccurl_set_string(handle, CURLOPT_USERAGENT, "gsp"), request)
        try check(ccurl_set_pointer(handle, CURLOPT_HTTPHEADER, headers), request)
        if let caCertificates {
            let pem = Array(caCertificates.utf8)
            try check(pem.withUnsafeBytes { ccurl_set_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }, request)
        } else if let caFile {
            try check(ccurl_set_string(handle, CURLOPT_CAINFO, caFile), request)
        }
        if let body = request.body {
            try check(ccurl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), request)
            // COPYPOSTFIELDS copies the bytes now, so they need not outlive this call.
            let copied = body.withUnsafeBytes { bytes in
                let empty: StaticString = ""
                let start = bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                return ccurl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start))
            }
            try check(copied, request)
        }
        if request.method != "GET" && request.method != "POST" {
            try check(ccurl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method), request)
        }
        let sink = ResponseSink()
        try check(ccurl_set_write_callback(handle, { data, size, count, context in
            let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard sink.body.count + length <= CurlEasy.maxResponseBytes else { return 0 }
            if let data { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
            return length
        }, Unmanaged.passUnretained(sink).toOpaque()), request)
        try check(ccurl_set_progress_callback(handle, { context, _, _, _, _ in
            Unmanaged<CancelFlag>.fromOpaque(context!).takeUnretainedValue().isSet ? 1 : 0
        }, Unmanaged.passUnretained(cancel).toOpaque()), request)
        let trusted = caCertificates != nil ? "the CA certificates stored at login" : caFile.map { "the CA file \($0)" }
        try withExtendedLifetime((sink, cancel)) { () throws(SyncError) in try check(curl_easy_perform(handle), request, trusted: trusted) }

        var status = 0
        _ = ccurl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var type: UnsafeMutablePointer<CChar>?
        _ = ccurl_get_string(handle, CURLINFO_CONTENT_TYPE, &type)
        var retryAfter: curl_off_t = 0
        _ = ccurl_get_offset(handle, CURLINFO_RETRY_AFTER, &retryAfter)
        return HTTPClientResponse(status: status, contentType: type.map { String(cString: $0) } ?? "", body: sink.body,
                                  retryAfter: retryAfter > 0 ? .seconds(retryAfter) : nil)
    }

    /// Turns a libcurl result into a `SyncError` that says what to do.
    /// `trusted`: what the request trusts instead of the system's authorities ("the CA file X"), for messages.
    private func check(_ code: CURLcode, _ request: HTTPClientRequest, trusted: String? = nil) throws(SyncError) {
        guard code != CURLE_OK else { return }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let host = request.url.host ?? request.url.absoluteString
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            throw SyncError(.tls, "the certificate of \(host) is not trusted (\(detail)). If your company signs its servers' "
                + "certificates itself, get its CA certificate (a PEM file) from your administrator and run "
                + "'gsp login --server URL --token TOKEN --ca-file PEM'")
        case CURLE_SSL_CACERT_BADFILE:
            throw SyncError(.tls, "cannot use \(trusted ?? "the CA certificates") (\(detail)): "
                + "run 'gsp login --server URL --token TOKEN --ca-file PEM' again with your company's CA certificate")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_USE_SSL_FAILED:
            throw SyncError(.tls, "the secure connection to \(host) failed (\(detail)): check that the URL's scheme is right "
                + "(https:// only for a server with TLS) and the server's certificate")
        case CURLE_ABORTED_BY_CALLBACK:
            throw SyncError(.transport, "the request to \(host) was cancelled")
        case CURLE_WRITE_ERROR:
            throw SyncError(.protocolError, "the answer from \(host) is larger than \(Self.maxResponseBytes >> 20) MiB: is the server URL right?")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION, CURLE_OUT_OF_MEMORY:
            throw SyncError(.protocolError, "cannot send a request to \(request.url.absoluteString): \(detail)")
        default:
            throw SyncError(.transport, "cannot reach \(host) (\(detail)): your changes stay pending, try again when online")
        }
    }
}

@available(*, unavailable)
extension CurlEasy: Sendable {}

/// Collects the answer's body from libcurl's write callback.
private final class ResponseSink {
    var body = Data()
}
#endif
