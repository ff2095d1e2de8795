import Foundation
import Testing
import GSPTestSupport

/// What a request's headers declare must not make the server hold memory or wait: a request
/// refused by its headers (no token, unknown route, wrong method, a length over the limit) is
/// never stored, and the bodies the server does store share one cap.
@Suite("Live server: request bodies and memory")
struct RequestBodyLimitTests {
    static let frameType = "application/x-gsp-frame"
    static let fullBody = 16 << 20

    /// Headers for a request with a body of `length` bytes (`token` nil: none sent).
    func head(_ method: String = "POST", _ path: String = "/v1/sync", length: Int?, token: String?, extra: String = "") -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: \(Self.frameType)\r\n"
        if let length { text += "Content-Length: \(length)\r\n" }
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        return text + extra + "\r\n"
    }

    @Test func bodiesOfRequestsRefusedByTheirHeadersAreNotStored() throws {
        let team = try LiveTeam(users: [("meg", "manager")], serveArguments: ["--max-connections-per-ip", "0"])
        let before = try #require(team.server.peakMemoryBytes)
        // Each sends all but the last byte of a full-size body, as the breaker did (200 of them
        // took the server from 30 MB to 3.3 GB).
        let refused: [(String, String, String?, Int)] = [("POST", "/v1/sync", nil, 401), ("POST", "/v1/sync", "not-a-token", 401),
                                                        ("POST", "/v1/sink", team.tokens["meg"], 404), ("PUT", "/v1/sync", team.tokens["meg"], 405),
                                                        ("POST", "/healthz", nil, 405), ("GET", "/healthz", nil, 413)]
        let body = Data(count: Self.fullBody)
        var held: [(RawConnection, Int)] = []
        for round in 0..<6 {
            for (method, path, token, status) in refused {
                let connection = try RawConnection(port: team.server.port)
                #expect(connection.write(head(method, path, length: body.count, token: token)), "round \(round): \(method) \(path)")
                #expect(connection.write(body.dropLast()), "round \(round): \(method) \(path) was cut off while sending")
                held.append((connection, status))
            }
        }
        let peak = try #require(team.server.peakMemoryBytes)
        // 36 bodies of 16 MiB would be 576 MiB; none of them is kept.
        #expect(peak - before < 96 << 20, "the server grew from \(before >> 20) MiB to \(peak >> 20) MiB holding refused bodies")
        // Once the body is in, each is answered, and its connection was read in full (no reset).
        for (connection, status) in held {
            connection.write(body.suffix(1))
            #expect(connection.receiveResponse(idle: 30)?.status == status)
        }
        #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200)
    }

    @Test func aRefusalIsSentBeforeTheBodyToAClientThatWaitsForContinue() throws {
        let team = try LiveTeam(users: [("meg", "manager")], serveArguments: ["--idle-timeout-seconds", "600"])
        for (path, token, status) in [("/v1/sync", nil, 401), ("/v1/sync", "not-a-token", 401), ("/v1/sink", team.tokens["meg"], 404)] {
            let connection = try RawConnection(port: team.server.port)
            connection.write(head("POST", path, length: Self.fullBody, token: token, extra: "Expect: 100-continue\r\n"))
            // No 100 Continue: the final answer comes without the body being sent.
            #expect(connection.receiveResponse(idle: 20)?.status == status, "\(path) \(token ?? "without a token")")
        }
        // A request that is taken still gets its 100 Continue.
        let taken = try RawConnection(port: team.server.port)
        taken.write(head("POST", "/v1/sync", length: 5, token: team.tokens["meg"], extra: "Expect: 100-continue\r\n"))
        #expect(taken.receiveResponse(idle: 20)?.status == 100)
        taken.write("hello")
        #expect(taken.receiveResponse(idle: 20)?.status == 400)
    }

    /// A declared length no body may have is answered at once, with the connection closed: the
    /// server does not wait for (or throw away) gigabytes that may never come.
    @Test func anAbsurdDeclaredLengthIsAnsweredAtOnce() throws {
        let team = try LiveTeam(users: [("meg", "manager")], serveArguments: ["--idle-timeout-seconds", "600"])
        for (token, status) in [(team.tokens["meg"], 413), (nil, 401)] {
            for length in ["10737418240", "99999999999999999999999999"] {
                let connection = try RawConnection(port: team.server.port)
                connection.write(head(length: nil, token: token, extra: "Content-Length: \(length)\r\n") + "hello")
                let answer = connection.receiveResponse(idle: 20)
                // A length past 64 bits is libmicrohttpd's to refuse (its own 400 or 413).
                let expected: Set<Int> = length.count > 19 ? [status, 400, 413] : [status]
                #expect(answer.map { expected.contains($0.status) } == true, "Content-Length \(length): \(answer.map { "\($0.status)" } ?? "no answer")")
                #expect(connection.receive(idle: 20).closed, "Content-Length \(length): the connection was left open")
            }
        }
        // A chunked body without end from someone without a token is not read forever.
        let endless = try RawConnection(port: team.server.port)
        endless.write(head(length: nil, token: nil, extra: "Transfer-Encoding: chunked\r\n"))
        let chunk = Data(String(format: "%x\r\n", 1 << 20).utf8) + Data(count: 1 << 20) + Data("\r\n".utf8)
        var sent = 0
        while sent < 1_000, endless.write(chunk) { sent += 1 }
        #expect(sent < 1_000, "the server read 1 GB of a refused chunked body")
        #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200)
    }

    @Test func theMemoryForBodiesIsCappedWith503() throws {
        let team = try LiveTeam(users: [("meg", "manager")], serveArguments: ["--max-body-memory-mib", "17", "--idle-timeout-seconds", "600"])
        let token = team.tokens["meg"]!
        // One body of 16 MiB, 12 MiB of it sent: the server holds 12 MiB of its 17.
        let big = try RawConnection(port: team.server.port)
        big.write(head(length: Self.fullBody, token: token))
        big.write(Data(count: 12 << 20))
        // Give the server the time to read what was sent: the cap counts bytes stored.
        var busy: RawResponse?
        for _ in 0..<100 {
            busy = try RawHTTP.request(port: team.server.port, "POST", "/v1/sync", headers: ["Authorization": "Bearer \(token)",
                "Content-Type": Self.frameType], body: Data(count: 8 << 20))
            if busy?.status == 503 { break }
            usleep(50_000)
        }
        #expect(busy?.status == 503, "8 MiB more than fits got \(busy.map { "\($0.status)" } ?? "no answer")")
        #expect(busy?.headers["retry-after"] != nil)
        // What fits is still taken (a small body, read and found not to be a frame).
        let small = try RawHTTP.request(port: team.server.port, "POST", "/v1/sync", headers: ["Authorization": "Bearer \(token)",
            "Content-Type": Self.frameType], body: Data(count: 1 << 20))
        #expect(small?.status == 400)
        // Once the big one is answered, its memory is free again.
        big.write(Data(count: Self.fullBody - (12 << 20)))
        #expect(big.receiveResponse(idle: 30)?.status == 400)
        let after = try RawHTTP.request(port: team.server.port, "POST", "/v1/sync", headers: ["Authorization": "Bearer \(token)",
            "Content-Type": Self.frameType], body: Data(count: 8 << 20))
        #expect(after?.status == 400)
    }

    @Test func theCapIsAServeFlag() throws {
        // Below the body limit (16 MiB + 64 KiB) a full-size push could never be taken.
        let directory = TemporaryDirectory()
        let binary = ServerBinary(db: directory.path("flags.db"), extraArguments: ["--max-body-memory-mib", "16"])
        let error = #expect(throws: (any Error).self) { try binary.start() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("--max-body-memory-mib"))
        #expect(binary.process == nil)
    }
}
