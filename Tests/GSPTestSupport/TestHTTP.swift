import Foundation
import GSPClient

/// Ordinary HTTP requests from async tests to a server on 127.0.0.1: one connection per
/// request, on a thread of its own (`BlockingCall`) so a slow answer never holds a thread of
/// Swift's small cooperative pool or of Dispatch's global queues. Tests do not use Foundation's URLSession: on Linux its async calls
/// sometimes never returned under load (no timeout fired), which hung whole test runs.
public enum TestHTTP {
    /// Sends `method url` with `headers` and `body`; the answer, or an error when the server
    /// closed the connection without one or sent nothing for `idle` seconds.
    public static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: Data = Data(),
                            idle: Double = 60) async throws -> RawResponse {
        guard let parsed = URLComponents(string: url), let port = parsed.port, parsed.host == "127.0.0.1" else {
            throw TestSupportError("TestHTTP sends only to http://127.0.0.1:PORT, not \(url)")
        }
        let target = parsed.percentEncodedPath.isEmpty ? "/" : parsed.percentEncodedPath
        let path = target + (parsed.percentEncodedQuery.map { "?" + $0 } ?? "")
        let answer = try await BlockingCall.run {
            try RawHTTP.request(port: UInt16(port), method, path, headers: headers, body: body, idle: idle)
        }
        guard let answer, answer.complete else {
            throw TestSupportError("\(method) \(url): the server closed the connection or went quiet without a whole answer")
        }
        return answer
    }

    /// The same, with a bearer `token` (none when nil).
    public static func send(_ method: String, _ url: String, token: String?, contentType: String? = nil,
                            body: Data = Data()) async throws -> RawResponse {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let contentType { headers["Content-Type"] = contentType }
        return try await send(method, url, headers: headers, body: body)
    }
}

extension RawResponse {
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
