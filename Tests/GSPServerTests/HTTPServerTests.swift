import Foundation
import Testing
import GSPClient
import GSPServer
import GSPTestSupport

@Suite("HTTPServer on libmicrohttpd")
struct HTTPServerTests {
    @Test func stopLetsARequestInProgressFinish() async throws {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let server = try HTTPServer(host: "127.0.0.1", port: 0, maxBodyBytes: 1024) { request in
            entered.signal()
            release.wait()
            return .text(200, "finished \(request.body.count)")
        }
        let port = server.port
        #expect(port != 0)
        let call = Task { try await TestHTTP.send("POST", "http://127.0.0.1:\(port)/slow", body: Data(count: 100)) }
        // Blocking waits on threads of their own: on the cooperative pool (two threads here) they
        // once held both threads with another test's, and nothing could signal `release`.
        try await BlockingCall.run { entered.wait() }
        // Stop while the handler is still running; it must wait for the handler and the answer.
        let stopped = Task { try await BlockingCall.run { server.stop(timeout: .seconds(30)) } }
        try await Task.sleep(for: .milliseconds(50))
        release.signal()
        try await stopped.value
        let answer = try await call.value
        #expect(answer.status == 200)
        #expect(answer.text == "finished 100\n")
        // Once stopped, nothing listens any more.
        await #expect(throws: (any Error).self) { _ = try await TestHTTP.send("GET", "http://127.0.0.1:\(port)/") }
    }

    @Test func aBadListenAddressIsAClearError() {
        #expect(throws: HTTPServerError.self) { _ = try HTTPServer(host: "localhost-ish", port: 0, maxBodyBytes: 10) { _ in .text(200, "") } }
    }
}
