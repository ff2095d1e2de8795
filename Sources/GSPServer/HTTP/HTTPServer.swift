@preconcurrency import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd, one thread per connection. Once a request's headers
/// are in, `screen` decides what becomes of it (see `Admission`): only a request it takes has
/// its body stored (up to a limit: 413 beyond it), then handed whole to the handler; the
/// bodies stored at once share one cap (503 beyond it).
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse
    /// Sees a request with its headers only (the body is empty) and says what becomes of it.
    public typealias Screen = @Sendable (HTTPRequest) -> Admission
    /// Called once per response sent, with the time from the request's first byte of headers.
    public typealias Observer = @Sendable (HTTPRequest, HTTPResponse, Duration) -> Void
    /// Hears what happens below requests: libmicrohttpd's own messages (a malformed request
    /// answered 400, a connection refused by a limit) and connections closed without a request.
    public typealias EventLog = @Sendable (String) -> Void

    let screen: Screen
    let observer: Observer?
    let eventLog: EventLog?
    let maxBodyBytes: Int
    let maxBufferedBodyBytes: Int
    let maxConnections: UInt32
    let maxConnectionsPerClient: UInt32
    public let host: String
    /// "https" when serving TLS, else "http".
    public let scheme: String
    /// The key and certificate handed to libmicrohttpd, kept for the daemon's life.
    private let tlsStrings: [CStringCopy]
    let state = Mutex(State())

    struct State {
        var daemon: DaemonHandle?
        var inFlight = 0
        var stopping = false
        /// Bytes of request bodies stored now, across all connections (at most `maxBufferedBodyBytes`).
        var bufferedBodyBytes = 0
    }

    /// The request bodies stored at once, all connections together, when not told otherwise.
    public static let defaultMaxBufferedBodyBytes = 256 << 20

    /// Starts listening at once; `port` 0 picks a free port (see `port`). With `tls`, serves
    /// HTTPS only (libmicrohttpd's GnuTLS). A connection idle for `idleTimeoutSeconds` (headers
    /// or body not finished, or kept alive unused) is closed, so clients that never finish a
    /// request (slowloris) do not hold a thread for long. At most `maxConnections` connections
    /// at once, and `maxConnectionsPerClient` from one client address (0: no cap), so one host
    /// cannot take every connection; libmicrohttpd closes a connection over a limit as soon as
    /// it is accepted (the client sees the connection closed, with no answer). The bodies stored
    /// at once, all connections together, stay under `maxBufferedBodyBytes` (at least `maxBodyBytes`).
    public init(host: String, port: UInt16, maxBodyBytes: Int, maxBufferedBodyBytes: Int = HTTPServer.defaultMaxBufferedBodyBytes,
                idleTimeoutSeconds: UInt32 = 60, maxConnections: UInt32 = 1024, maxConnectionsPerClient: UInt32 = 0,
                tls: TLSIdentity? = nil, observer: Observer? = nil, eventLog: EventLog? = nil,
                screen: @escaping Screen) throws(HTTPServerError) {
        self.screen = screen
        self.observer = observer
        self.eventLog = eventLog
        self.maxBodyBytes = maxBodyBytes
        self.maxBufferedBodyBytes = max(maxBodyBytes, maxBufferedBodyBytes)
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.host = host
        if tls != nil && cmhd_supports_tls() == 0 {
            throw HTTPServerError("this libmicrohttpd was built without TLS: install Debian's libmicrohttpd12 (GnuTLS), or serve plain HTTP behind a reverse proxy")
        }
        scheme = tls == nil ? "http" : "https"
        try ListenAddress.check(host: host, port: port)
        tlsStrings = tls.map { [CStringCopy($0.keyPEM), CStringCopy($0.certificatePEM)] } ?? []
        let flags = MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_POLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
        // The daemon gets an unretained pointer to self: `stop()` (and deinit) shut it down before self goes.
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let daemon = cmhd_start(flags, host, port, { cls, connection, url, method, _, data, size, context in
            Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue()
                .onRequest(connection!, url: url, method: method, data: data, size: size!, context: context!)
        }, me, { cls, _, context, _ in
            Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue().onCompleted(context)
        }, me, maxConnections, maxConnectionsPerClient, idleTimeoutSeconds, 64 * 1024,
        eventLog == nil ? nil : { cls, format, arguments in
            var text = [CChar](repeating: 0, count: 512)
            guard let arguments else { return }
            vsnprintf(&text, text.count, format, arguments)
            let server = Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue()
            server.eventLog?(server.explain(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
        }, me,
        eventLog == nil ? nil : { cls, connection, socketContext, event in
            Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue().onConnection(connection!, socketContext!, event)
        }, me,
        tlsStrings.first?.pointer, tlsStrings.last?.pointer) else {
            if tls != nil {
                throw HTTPServerError("cannot serve HTTPS on \(host):\(port): check that the key matches the certificate and both are PEM, "
                    + "that the address is a numeric IP (such as 127.0.0.1) and the port free")
            }
            throw HTTPServerError("cannot listen on \(host):\(port): the address must be a numeric IP (such as 127.0.0.1) and the port free")
        }
        state.withLock { $0.daemon = DaemonHandle(pointer: daemon) }
    }

    /// A server that takes every request (up to `maxBodyBytes`) and hands it to `handler`.
    public convenience init(host: String, port: UInt16, maxBodyBytes: Int, idleTimeoutSeconds: UInt32 = 60,
                            maxConnections: UInt32 = 1024, maxConnectionsPerClient: UInt32 = 0, tls: TLSIdentity? = nil,
                            observer: Observer? = nil, eventLog: EventLog? = nil, handler: @escaping Handler) throws(HTTPServerError) {
        try self.init(host: host, port: port, maxBodyBytes: maxBodyBytes, idleTimeoutSeconds: idleTimeoutSeconds,
                      maxConnections: maxConnections, maxConnectionsPerClient: maxConnectionsPerClient, tls: tls,
                      observer: observer, eventLog: eventLog, screen: { _ in .read(maxBodyBytes: maxBodyBytes, handler: handler) })
    }

    deinit { stop(timeout: .zero) }

    /// The port the server listens on.
    public var port: UInt16 {
        state.withLock { $0.daemon.map { cmhd_bound_port($0.pointer) } ?? 0 }
    }

    /// Stops accepting connections, lets requests in progress finish (up to `timeout`), then stops.
    public func stop(timeout: Duration = .seconds(30)) {
        guard let daemon = state.withLock({ s -> DaemonHandle? in
            guard !s.stopping else { return nil }
            s.stopping = true
            return s.daemon
        })?.pointer else { return }
        let listener = MHD_quiesce_daemon(daemon)
        if listener >= 0 { close(listener) }
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.inFlight }) > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        MHD_stop_daemon(daemon)
        state.withLock { $0.daemon = nil }
    }

    // MARK: libmicrohttpd callbacks (on connection threads)

    /// libmicrohttpd's message, without the HTML page it sends, and naming the limits it speaks of.
    private func explain(_ message: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if let page = text.range(of: " ('<html>") { text = String(text[..<page.lowerBound]) + ")." }
        if text.contains("reached connection limit") {
            text += " A new connection was closed at once: the server already holds its \(maxConnections) connections"
                + (maxConnectionsPerClient == 0 ? "." : ", or that client address its \(maxConnectionsPerClient) (--max-connections-per-ip).")
        }
        return text
    }

    /// One connection's life, kept in libmicrohttpd's socket context from its start to its close.
    final class ConnectionRecord {
        let client: String
        var requests = 0
        init(client: String) { self.client = client }
    }

    /// A connection closed before any request reached the handler is logged: libmicrohttpd closes,
    /// without an answer, a first line it cannot read as a request line (no space in it, such as
    /// "HELLO" or binary bytes), and logs nothing itself.
    private func onConnection(_ connection: OpaquePointer, _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                              _ event: MHD_ConnectionNotificationCode) {
        if event.rawValue == 0 {   // MHD_CONNECTION_NOTIFY_STARTED (then 1, CLOSED)
            var text = [CChar](repeating: 0, count: 64)
            cmhd_client_address(connection, &text, text.count)
            socketContext.pointee = Unmanaged.passRetained(ConnectionRecord(client: text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })).toOpaque()
        } else if let raw = socketContext.pointee {
            socketContext.pointee = nil
            let record = Unmanaged<ConnectionRecord>.fromOpaque(raw).takeRetainedValue()
            if record.requests == 0 {
                eventLog?("connection from \(record.client) closed without a request (it sent something that is not HTTP, "
                          + "nothing before the idle timeout, or hung up)")
            }
        }
    }

    private func onCompleted(_ context: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let context, let raw = context.pointee else { return }
        let pending = Unmanaged<Pending>.fromOpaque(raw).takeRetainedValue()
        context.pointee = nil
        state.withLock {
            if pending.answering { $0.inFlight -= 1 }
            $0.bufferedBodyBytes -= pending.charged
        }
    }

    func send(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        var body = response.body
        let created = body.withUnsafeMutableBytes { buffer in
            MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        MHD_add_response_header(created, "Content-Type", response.contentType)
        for (name, value) in response.headers { MHD_add_response_header(created, name, value) }
        // While stopping, close kept-alive connections after this response so no new request starts on them.
        if state.withLock({ $0.stopping }) { MHD_add_response_header(created, "Connection", "close") }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    /// Collects one kind of connection values (headers or query arguments) into a dictionary.
    static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercased: Bool = false) -> [String: String] {
        final class Box { var values: [String: String] = [:]; var lowercased = false }
        let box = Box()
        box.lowercased = lowercased
        withExtendedLifetime(box) {
            _ = MHD_get_connection_values(connection, kind, { cls, _, key, value in
                let box = Unmanaged<Box>.fromOpaque(cls!).takeUnretainedValue()
                if let key {
                    let name = String(cString: key)
                    box.values[box.lowercased ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
                }
                return .YES
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.values
    }
}

/// The daemon pointer, moved between threads only under the server's lock.
// @unchecked: libmicrohttpd's daemon functions used here (info, quiesce, stop) may be called from any thread.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The HTTP server could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
