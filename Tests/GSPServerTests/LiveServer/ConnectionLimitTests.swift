import Foundation
import Testing
import GSPServer
import GSPTestSupport

/// Found by a breaker: one host holding ~1-4k half-open connections (slowloris) took every one
/// of the server's 1,024 connections, and garbage request lines were closed without a trace.
/// Synchronous tests: they block on sockets and child processes, never on Swift's task pool.
@Suite("Live server: connection limits and garbage", .serialized)
struct ConnectionLimitTests {
    /// A replica of `user` made by the real `gsp`, logged in to `team`'s server, with one new deal.
    func replicaWithADeal(_ team: LiveTeam, _ user: String) throws -> String {
        let replica = team.directory.path("\(user)-cli.sqlite")
        #expect(try GSPBinary.run(["init", "--user", user], replica: replica).status == 0)
        #expect(try GSPBinary.run(["login", "--server", team.server.url, "--token", team.tokens[user]!], replica: replica).status == 0)
        #expect(try GSPBinary.run(["deal", "new", "--account", "Acme", "--title", "Port"], replica: replica).status == 0)
        return replica
    }

    /// Whether the server closed `connection` (without waiting for more than `seconds`).
    func isClosed(_ connection: RawConnection, within seconds: Double) -> Bool { connection.receive(idle: seconds).closed }

    @Test func oneHostAtItsCapDoesNotStarveTheOthers() throws {
        let team = try LiveTeam(start: false)
        team.server.quiet = false
        try team.server.start()   // the default cap per client address
        let port = team.server.port
        // The hog, at 127.0.0.2: more half-sent requests than the server's 1,024 connections.
        var hog: [RawConnection] = []
        for _ in 0..<1_100 {
            guard let connection = try? RawConnection(port: port, from: "127.0.0.2") else { continue }
            connection.write("POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
            hog.append(connection)
        }
        // Everyone else (127.0.0.1) is served meanwhile: a real `gsp sync`, and a health check.
        let replica = try replicaWithADeal(team, "alice")
        let synced = try GSPBinary.run(["sync", "--retries", "0"], replica: replica)
        #expect(synced.status == 0, "\(synced.stdout) \(synced.stderr)")
        #expect(try RawHTTP.request(port: port, "GET", "/healthz")?.status == 200)
        // The hog holds exactly its cap; its other connections were closed.
        let held = hog.filter { !isClosed($0, within: 0.05) }.count
        let cap = Int(ServerConfiguration.defaultMaxConnectionsPerClient)
        #expect(held == cap, "the hog holds \(held) connections")
        // A refusal is clean: the connection is closed at once, with no bytes, and logged.
        let refused = try RawConnection(port: port, from: "127.0.0.2")
        refused.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = refused.receive(idle: 10)
        #expect(answer.closed && answer.data.isEmpty)
        #expect(team.server.log.contains("reached connection limit"), "\(team.server.log.suffix(500))")
        #expect(team.server.log.contains("that client address its \(cap) (--max-connections-per-ip)"))
        // Once the hog lets go, its address is served again.
        for connection in hog { connection.hangUp() }
        hog.removeAll()
        var healthy = false
        for _ in 0..<100 where !healthy {
            let again = try RawConnection(port: port, from: "127.0.0.2")
            again.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            healthy = again.receiveResponse(idle: 5)?.status == 200
            if !healthy { usleep(100_000) }
        }
        #expect(healthy, "127.0.0.2 was not served again after closing its connections")
        #expect(team.server.isRunning)
    }

    @Test func theCapIsAServeFlag() throws {
        let team = try LiveTeam(users: [("alice", "rep")], serveArguments: ["--max-connections-per-ip", "3"])
        let held = try (0..<3).map { _ in try RawConnection(port: team.server.port) }
        for connection in held { connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
        let fourth = try RawConnection(port: team.server.port)
        #expect(isClosed(fourth, within: 10))
        // With 0 (no cap, for a server behind a reverse proxy) the same host may hold more.
        let open = try LiveTeam(users: [("alice", "rep")], serveArguments: ["--max-connections-per-ip", "0"])
        let many = try (0..<100).map { _ in try RawConnection(port: open.server.port) }
        for connection in many { connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
        #expect(try RawHTTP.request(port: open.server.port, "GET", "/healthz")?.status == 200)
        #expect(many.filter { !isClosed($0, within: 0.05) }.count == 100)
    }

    /// libmicrohttpd 0.9.75 closes, without an answer, a first line that has no space (it cannot
    /// be a request line); other malformed lines get its 400 with a short body. Either way the
    /// server logs it and keeps serving.
    @Test func garbageRequestLinesAreLoggedAndTheServerKeepsServing() throws {
        let team = try LiveTeam(users: [("alice", "rep")], start: false)
        team.server.quiet = false
        try team.server.start()
        let port = team.server.port
        let closedSilently = ["HELLO\r\n\r\n", "\u{1}\u{2}\u{3}\u{4}\r\n\r\n", String(repeating: "\u{7f}", count: 300) + "\r\n\r\n"]
        let answered400 = ["GET /\r\n\r\n", "\u{1}\u{2} \u{3}\r\n\r\n", "GET  HTTP/1.1\r\n\r\n"]
        for garbage in closedSilently + answered400 {
            let connection = try RawConnection(port: port)
            connection.write(garbage)
            let answer = connection.receive(idle: 10)
            #expect(answer.closed, "\(garbage.debugDescription): the connection was left open")
            let status = RawResponseStatus.of(answer.data)
            if answered400.contains(garbage) {
                #expect(status == 400, "\(garbage.debugDescription): \(status.map(String.init) ?? "nothing")")
                #expect(String(decoding: answer.data, as: UTF8.self).contains("syntactically incorrect"))
            } else {
                #expect(answer.data.isEmpty, "\(garbage.debugDescription)")
            }
            #expect(try RawHTTP.request(port: port, "GET", "/healthz")?.status == 200, "after \(garbage.debugDescription)")
        }
        // The server logs a closed connection after the client saw it close: under load the last
        // line may come a moment after the health check answered.
        let expected = closedSilently.count + answered400.count
        func silentCount(_ log: String) -> Int { log.components(separatedBy: "connection from 127.0.0.1 closed without a request").count - 1 }
        for _ in 0..<500 where silentCount(team.server.log) < expected { usleep(10_000) }
        let log = team.server.log
        let silent = silentCount(log)
        #expect(silent >= expected, "\(log)")
        #expect(log.components(separatedBy: "HTTP response code is 400").count - 1 == answered400.count, "\(log)")
        #expect(!log.contains("<html>"), "the log carries libmicrohttpd's HTML page")
        #expect(team.server.isRunning)
    }
}
