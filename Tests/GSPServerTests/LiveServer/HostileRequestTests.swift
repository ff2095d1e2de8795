import Foundation
import Testing
import GSPCore
import GSPClient
import GSPStore
import GSPWire
import GSPTestSupport

/// Issue 4, "bad input": every hostile request to the real `gsp-server` gets a clear 4xx,
/// stores nothing, and the server keeps serving everyone else.
@Suite("Live server: hostile requests")
struct HostileRequestTests {
    /// The server's state a refused request must not touch.
    func footprint(_ team: LiveTeam) throws -> [Int64] {
        let db = try team.serverDatabase()
        return try ["SELECT count(*) FROM history", "SELECT count(*) FROM fields", "SELECT count(*) FROM acks",
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'"].map { try db.scalar($0)?.integer ?? -1 }
    }

    func validFrame(node: NodeID = NodeID()) -> Data {
        let now = UInt64(Date().timeIntervalSince1970 * 1000), deal = RowID()
        let changes = ["title", "owner", "next_step"].enumerated().map { i, field in
            PushedChange(seq: UInt64(i + 1), change: Change(table: "deals", row: deal, field: field, value: .text("meg"),
                                                            hlc: HLC(milliseconds: now), node: node))
        }
        return Frame.encode(.request(SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 10, changes: changes)))
    }

    @Test func hostileRequestsGet4xxAndChangeNothing() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg")
        try meg.write([FieldWrite(.deals, RowID(), "title", .text("existing"))])
        try await team.sync(meg)
        let before = try footprint(team)
        let token = team.tokens["meg"]!
        let frame = validFrame()
        let frameType = "application/x-gsp-frame"
        func post(type: String? = frameType, auth: Bool = true) -> [String: String] {
            var headers: [String: String] = [:]
            if let type { headers["Content-Type"] = type }
            if auth { headers["Authorization"] = "Bearer \(token)" }
            return headers
        }

        // A bomb: 70 MB of zeros in a tiny stream, declaring its size, or lying about it.
        let bomb = Frame.frame(kind: Frame.Kind.request, body: [UInt8](repeating: 0, count: 70_000_000), level: 9)
        var w = ByteWriter()
        w.writeVarInt(1_000)
        let lyingBomb = Array(bomb.prefix(7)) + w.bytes + bomb.dropFirst(11)
        let response = Frame.encode(.response(SyncResponse(epoch: UUID(), serverTime: .zero, acknowledged: 0, cursor: 0, hasMore: false)))
        var newerVersion = [UInt8](frame)
        newerVersion[4] = 9

        let cases: [(String, String, String, Data, [String: String], Set<Int>)] = [
            ("garbage body", "POST", "/v1/sync", Data("hello, server".utf8), post(), [400]),
            ("empty body", "POST", "/v1/sync", Data(), post(), [400]),
            ("truncated frame", "POST", "/v1/sync", frame.prefix(frame.count / 2), post(), [400]),
            ("frame cut by one byte", "POST", "/v1/sync", frame.dropLast(), post(), [400]),
            ("zip bomb", "POST", "/v1/sync", Data(bomb), post(), [413]),
            ("lying zip bomb", "POST", "/v1/sync", Data(lyingBomb), post(), [400]),
            ("unknown frame version", "POST", "/v1/sync", Data(newerVersion), post(), [400]),
            ("a response frame", "POST", "/v1/sync", response, post(), [400]),
            ("frame labelled JSON", "POST", "/v1/sync", frame, post(type: "application/json"), [415]),
            ("frame labelled a form", "POST", "/v1/sync", frame, post(type: "application/x-www-form-urlencoded"), [415]),
            ("frame without a type", "POST", "/v1/sync", frame, post(type: nil), [415]),
            ("frame without a token", "POST", "/v1/sync", frame, post(auth: false), [401]),
            ("unknown path", "POST", "/v1/sink", frame, post(), [404]),
            ("wrong method", "GET", "/v1/sync", Data(), post(), [405]),
            ("report that does not exist", "GET", "/v1/reports/nope", Data(), post(), [404]),
            ("huge query", "GET", "/v1/whoami?x=" + String(repeating: "a", count: 100_000), Data(), post(), [400, 413, 414, 431]),
        ]
        for (name, method, path, body, headers, statuses) in cases {
            let answer = try RawHTTP.request(port: team.server.port, method, path, headers: headers, body: body)
            #expect(answer.map { statuses.contains($0.status) } == true, "\(name): \(answer.map { "\($0.status)" } ?? "no answer")")
            if let answer, path == "/v1/sync", answer.status != 404, answer.status != 405, answer.headers["content-type"] == frameType {
                // Sync errors are error frames that say nothing was changed.
                let message = try? Frame.decode(answer.body)
                if case .error(let error)? = message { #expect(!error.message.isEmpty, "\(name)") } else { Issue.record("\(name): not an error frame") }
            }
            #expect(try footprint(team) == before, "\(name) changed the store")
            #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200, "after \(name)")
        }

        // Requests that are not HTTP, and a body streamed past the limit in chunks.
                // (505 is the answer to an HTTP version the server does not speak.)
        for garbage in ["HELLO\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u{1}\u{2} \u{3}\r\n\r\n", "GET /\u{0}x HTTP/1.1\r\n\r\n"] {
            let connection = try RawConnection(port: team.server.port)
            connection.write(garbage)
            let answer = connection.receive(idle: 10)
            let status = RawResponseStatus.of(answer.data)
            #expect(status.map { (400..<500).contains($0) || $0 == 505 } ?? answer.closed, "\(garbage.debugDescription): \(status.map(String.init) ?? "nothing")")
        }
        // A body over the limit, sent in full: the client must get to read the 413, not a reset
        // connection (a server that answers early and closes on unread data resets it).
        let oversized = try RawConnection(port: team.server.port)
        oversized.write("POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: \(frameType)\r\n"
                        + "Content-Length: \(20 << 20)\r\n\r\n")
        oversized.write(Data(count: 20 << 20))
        #expect(oversized.receiveResponse(idle: 30)?.status == 413, "an oversized body sent in full got no 413")
        // The same through the client's libcurl, which reports a broken pipe if the server answers
        // and closes before it has sent the body.
        for _ in 0..<3 {
            let answer = try await makeHTTPClient().send(HTTPClientRequest(
                method: "POST", url: URL(string: team.server.url + "/v1/sync")!,
                headers: ["Authorization": "Bearer \(token)", "Content-Type": frameType], body: Data(count: 20 << 20)))
            #expect(answer.status == 413)
        }
        let chunked = try RawConnection(port: team.server.port)
        chunked.write("POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: \(frameType)\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = Data(String(format: "%x\r\n", 1 << 20).utf8) + Data(count: 1 << 20) + Data("\r\n".utf8)
        for _ in 0..<18 {
            guard chunked.write(chunk) else { break }   // the server may answer and hang up early
        }
        chunked.write("0\r\n\r\n")
        #expect(chunked.receiveResponse(idle: 30)?.status == 413)
        #expect(try footprint(team) == before)

        // The server still serves a real sync, and was never restarted.
        try meg.write([FieldWrite(.deals, RowID(), "title", .text("after"))])
        #expect(try await team.sync(meg).pushed == 1)
        #expect(team.server.isRunning)
    }

    @Test func slowClientsAreCutOffAndOthersServedMeanwhile() async throws {
        let team = try LiveTeam(serveArguments: ["--idle-timeout-seconds", "1"])
        let before = try footprint(team)
        let token = team.tokens["meg"]!
        // Slowloris: half the headers, then nothing.
        let slow = try (0..<4).map { _ in try RawConnection(port: team.server.port) }
        for connection in slow { connection.write("POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ") }
        // A body that never finishes: a valid frame's first half.
        let frame = validFrame()
        let stalled = try RawConnection(port: team.server.port)
        stalled.write("POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/x-gsp-frame\r\n"
                      + "Content-Length: \(frame.count)\r\n\r\n")
        stalled.write(frame.prefix(frame.count / 2))
        // Meanwhile everyone else is served.
        let meg = try team.replica("meg")
        try meg.write([FieldWrite(.deals, RowID(), "title", .text("served"))])
        #expect(try await team.sync(meg).pushed == 1)
        #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200)
        let served = try footprint(team)
        // The server hangs up on every one of them (waiting is bounded only so a broken server fails the test).
        for connection in slow + [stalled] {
            let end = connection.receive(idle: 60)
            #expect(end.closed, "a stalled connection was left open")
        }
        #expect(try footprint(team) == served, "nothing of the half-sent frame was stored")
        #expect(served != before)
        #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200)
    }
}

extension HostileRequestTests {
    /// SIGTERM lets requests being answered finish; a request whose body never finishes
    /// arriving is not one of them, so it must not hold the stop up (until a timeout).
    @Test func aGracefulStopDoesNotWaitForARequestThatNeverFinishesArriving() throws {
        let team = try LiveTeam(users: [("meg", "manager")], serveArguments: ["--idle-timeout-seconds", "600"])
        let stalled = try RawConnection(port: team.server.port)
        stalled.write("POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(team.tokens["meg"]!)\r\n"
                      + "Content-Type: application/x-gsp-frame\r\nContent-Length: 1000\r\n\r\n0123456789")
        #expect(try RawHTTP.request(port: team.server.port, "GET", "/healthz")?.status == 200)
        let asked = ContinuousClock.now
        #expect(team.server.stop() == 0)
        // The stop's own limit for requests in progress is 30 s: it must not be what ended it.
        #expect(ContinuousClock.now - asked < .seconds(20), "the stop waited for a client that never finishes")
    }
}

enum RawResponseStatus {
    static func of(_ data: Data) -> Int? {
        let line = String(decoding: data.prefix(64), as: UTF8.self)
        guard line.hasPrefix("HTTP/") else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}
