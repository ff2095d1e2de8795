import Foundation
import Testing
import GSPClient
import GSPCore
import GSPTestSupport
import GSPWire

/// HTTPTransport against a real HTTP server on 127.0.0.1 (a few lines of Python's
/// http.server, which can play a busy server): headers, bearer token, frames both ways, 401,
/// 503 with Retry-After, an unreachable server.
@Suite struct HTTPTransportTests {
    static let script = #"""
    import http.server, signal, sys
    # The test runner blocks most signals, and children inherit the mask: let SIGTERM through.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    answer = open(sys.argv[1], 'rb').read()
    busy = [int(sys.argv[3])]
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            if busy[0] > 0:
                busy[0] -= 1
                text = b'<html>Service Unavailable</html>'
                self.send_response(503); self.send_header('Retry-After', '1'); self.send_header('Content-Type', 'text/html')
                self.send_header('Content-Length', str(len(text))); self.end_headers(); self.wfile.write(text); return
            ok = (self.path == '/v1/sync' and self.headers['Authorization'] == 'Bearer good-token'
                  and self.headers['Content-Type'] == 'application/x-gsp-frame')
            if not ok:
                self.send_response(401); self.send_header('Content-Length', '0'); self.end_headers(); return
            open(sys.argv[2], 'wb').write(body)
            self.send_response(200)
            self.send_header('Content-Type', 'application/x-gsp-frame')
            self.send_header('Content-Length', str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        def log_message(self, *args): pass
    server = http.server.HTTPServer(('127.0.0.1', 0), H)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    /// Starts the server answering every authorised POST with `answer`; returns its base URL.
    func withServer(answer: Data, busyFirst: Int = 0, _ body: (String, URL) async throws -> Void) async throws {
        let dir = TemporaryDirectory("gsp-http")
        let answerFile = dir.url.appendingPathComponent("answer.bin"), received = dir.url.appendingPathComponent("received.bin")
        try answer.write(to: answerFile)
        let process = try GSPBinary.launch("/usr/bin/env", ["python3", "-c", Self.script, answerFile.path, received.path, String(busyFirst)])
        defer {
            // SIGKILL: a child of the test runner may have SIGTERM blocked.
            process.sigkill()
            _ = process.wait()
        }
        var port = ""
        for _ in 0..<1_000 where port.isEmpty && process.isRunning {
            if let line = process.outputSoFar.split(separator: "\n").first { port = line.trimmingCharacters(in: .whitespaces) } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        try #require(Int(port) != nil, "the test HTTP server did not start (is python3 installed?)")
        try await body("http://127.0.0.1:\(port)", received)
    }

    /// libcurl (Linux) and URLSession (kept for Apple platforms) behave the same.
    @Test(arguments: ["libcurl", "URLSession"])
    func postsFramesWithTheTokenAndReadsTheAnswer(client: String) async throws {
        let epoch = UUID()
        let response = SyncResponse(epoch: epoch, serverTime: HLC(milliseconds: 77), acknowledged: 0, cursor: 3, hasMore: false)
        try await withServer(answer: Frame.encode(.response(response))) { server, received in
            let test = try TestReplicaForHTTP()
            try test.replica.login(server: server + "/", token: "good-token")
            try test.replica.createDeal(title: "t", account: "a")
            let state = try test.replica.syncState()
            let transport = try HTTPTransport(try ServerEndpoint(server: state.serverURL!, token: state.token!),
                                              client: client == "libcurl" ? try makeHTTPClient() : URLSessionHTTPClient())
            #expect(transport.endpoint.absoluteString == server + "/v1/sync")
            let summary = try await test.replica.sync(transport: transport, codec: WireSyncCodec())
            #expect(summary.rounds == 1)
            #expect(try test.replica.syncState().epoch == epoch)
            #expect(try test.replica.syncState().cursor == 3)
            guard case .request(let request) = try Frame.decode(try Data(contentsOf: received)) else { Issue.record("not a request"); return }
            #expect(request.node == test.replica.node)
            #expect(request.changes.count == 5)
        }
    }

    @Test func aRejectedTokenSaysToLogIn() async throws {
        try await withServer(answer: Data()) { server, _ in
            let transport = try HTTPTransport(server: server, token: "stale-token")
            let error = await #expect(throws: SyncError.self) { try await transport.exchange(Data([1, 2, 3])) }
            #expect(error?.message == "token rejected: run 'gsp login --server URL --token TOKEN'")
        }
    }
}

extension HTTPTransportTests {
    @Test func aBusyServerIsRetriedAfterTheWaitItAsksFor() async throws {
        let response = SyncResponse(epoch: UUID(), serverTime: HLC(milliseconds: 77), acknowledged: 0, cursor: 3, hasMore: false)
        try await withServer(answer: Frame.encode(.response(response)), busyFirst: 2) { server, _ in
            let test = try TestReplicaForHTTP()
            try test.replica.login(server: server, token: "good-token")
            var waits: [SyncRetry] = []
            let policy = RetryPolicy(maxRetries: 2, firstDelay: .milliseconds(10), maxDelay: .milliseconds(50))
            let summary = try await test.replica.sync(retry: policy) { if let retry = $0.nextRetry { waits.append(retry) } }
            #expect(summary.retries == 2)
            #expect(summary.rounds == 1)
            // Retry-After: 1 second, capped by the policy.
            #expect(waits.map(\.delay) == [.milliseconds(50), .milliseconds(50)])
            #expect(waits.first?.reason == "the server is unavailable (HTTP 503: <html>Service Unavailable</html>)")
            #expect(try test.replica.syncState().lastError == nil)
        }
    }

    @Test func anUnreachableServerFailsAfterTheRetriesAndIsRecorded() async throws {
        let test = try TestReplicaForHTTP()
        try test.replica.login(server: "http://127.0.0.1:1", token: "good-token")
        let policy = RetryPolicy(maxRetries: 1, firstDelay: .milliseconds(5))
        let error = await #expect(throws: SyncError.self) { try await test.replica.sync(retry: policy) }
        #expect(error?.code == .transport)
        #expect(error?.message.hasPrefix("cannot reach 127.0.0.1 (") == true)
        #expect(error?.message.hasSuffix("(gave up after 2 attempts)") == true)
        let state = try test.replica.syncState()
        #expect(state.lastError == error?.message)
        #expect(state.lastErrorAt != nil)
        #expect(state.lastSync == nil)
    }
}

extension HTTPTransportTests {
    @Test func cancellingAbortsARequestThatGetsNoAnswer() async throws {
        // A socket that listens but never accepts: the connection opens, the answer never comes.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        try #require(ready && listen(listener, 8) == 0)
        let transport = try HTTPTransport(server: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))", token: "t")
        let call = Task { try await transport.exchange(Data([1, 2, 3])) }
        try await Task.sleep(for: .milliseconds(200))
        call.cancel()
        let result = await call.result
        // Without cancellation the call would end in the transport's timeout error, not this one.
        #expect(throws: CancellationError.self) { try result.get() }
    }
}

/// A replica in a temporary folder (kept apart from `TestReplica` to use the system clock).
struct TestReplicaForHTTP {
    let directory = TemporaryDirectory("gsp-http-replica")
    let replica: Replica
    init() throws { replica = try Replica.create(at: directory.path("r.sqlite"), user: "alice") }
}
