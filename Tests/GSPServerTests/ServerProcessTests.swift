import Foundation
import Synchronization
import Testing
import GSPCore
import GSPServer
import GSPWire
import GSPTestSupport

/// The real `gsp-server` executable, run as a child process (see GSPTestSupport's ServerBinary).
struct ServerProcess {
    static var executable: URL { URL(fileURLWithPath: GSPBinary.serverPath) }

    /// Runs a command to completion; returns its exit status and standard output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try GSPBinary.launch(GSPBinary.serverPath, arguments).wait()
        return (result.status, result.stdout)
    }

    let server: ServerBinary
    var process: RunningProcess { server.process! }
    var port: Int { Int(server.port) }

    /// Starts `serve` on a free port and waits for its "listening on" line.
    init(db: String) throws {
        server = ServerBinary(db: db)
        try server.start()
    }
}

@Suite("gsp-server executable")
struct ServerProcessTests {
    @Test func usageErrorsExit64AndFailuresExit1() throws {
        #expect(try ServerProcess.run([]).status == 64)
        for usage in [["frobnicate"], ["user", "add", "x", "--role", "boss", "--db", "/tmp/none.db"], ["serve", "--frob"]] {
            let result = try GSPBinary.launch(GSPBinary.serverPath, usage).wait()
            #expect(result.status == 64)
            // One prefix for every error, as gsp has: "gsp-server[ COMMAND]: error: ".
            #expect(result.stderr.hasPrefix("gsp-server") && result.stderr.split(separator: "\n").first?.contains(": error: ") == true, "\(result.stderr)")
        }
        #expect(try ServerProcess.run(["serve", "--db", "x.db"]).status == 64, "--listen is required")
        #expect(try ServerProcess.run(["serve", "--db", "x.db", "--listen", "127.0.0.1:0", "--idle-timeout-seconds", "0"]).status == 64)
        #expect(try ServerProcess.run(["conflicts", "--db", "/nonexistent/dir/none.db"]).status == 1)
        #expect(try ServerProcess.run(["backup", "--help"]).status == 0)
    }

    /// Found when a whole test run hung: serve printed "listening on" before it set up its SIGTERM
    /// handling, and a SIGTERM sent at once (as supervisors and tests do) could land while the
    /// signal was ignored and be lost: the server ran on. A SIGTERM sent the moment the line
    /// appears always stops it.
    @Test func aSigtermSentAsSoonAsTheServerIsListeningStopsIt() throws {
        let directory = TemporaryDirectory("gsp-sigterm")
        let db = directory.path("server.db")
        #expect(try ServerProcess.run(["migrate", "--db", db]).status == 0)
        for attempt in 0..<20 {
            let serve = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--quiet"])
            while !serve.outputSoFar.contains("listening on") && serve.isRunning { usleep(200) }
            serve.terminate()
            let result = serve.wait(killingAfter: 40)
            #expect(result.status == 0 && !result.killed, "attempt \(attempt): the SIGTERM was lost (exit \(result.status)): \(result.stderr)")
        }
    }

    @Test func sigtermWhileClientsSyncLosesNoAcknowledgedChange() async throws {
        let directory = TemporaryDirectory("gsp-process")
        let db = directory.path("server.db")
        let added = try ServerProcess.run(["user", "add", "meg", "--role", "manager", "--db", db])
        #expect(added.status == 0)
        let token = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(db: db)
        let base = URL(string: "http://127.0.0.1:\(server.port)/v1/sync")!

        let clients = 3
        let syncs = SyncCounter()
        let results = try await withThrowingTaskGroup(of: (NodeID, RowID, UInt64).self) { group in
            for _ in 0..<clients {
                group.addTask {
                    let node = NodeID(), deal = RowID()
                    var clock = HybridClock(), seq: UInt64 = 0, acknowledged: UInt64 = 0
                    for _ in 0..<400 {
                        let batch = (0..<20).map { _ in
                            seq += 1
                            let hlc = clock.tick(wallMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
                            return PushedChange(seq: seq, change: Change(table: "deals", row: deal, field: "f\(seq)",
                                                                         value: .integer(Int64(seq)), hlc: hlc, node: node))
                        }
                        let body = Frame.encode(.request(SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1, changes: batch)))
                        guard let sent = try? await TestHTTP.send("POST", base.absoluteString, token: token,
                                                                  contentType: "application/x-gsp-frame", body: body),
                              sent.status == 200,
                              let answer = try? Frame.decode(sent.body).response else { break }
                        acknowledged = answer.acknowledged
                        syncs.count.add(1, ordering: .relaxed)
                    }
                    return (node, deal, acknowledged)
                }
            }
            // Stop the server once the clients are well under way.
            while syncs.count.load(ordering: .relaxed) < 15 { try await Task.sleep(for: .milliseconds(2)) }
            server.process.terminate()
            var results: [(NodeID, RowID, UInt64)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(server.process.wait(killingAfter: 45).status == 0, "a graceful stop exits 0")

        // Restart on the same file: every acknowledged change is there.
        let restarted = try ServerProcess(db: db)
        defer { restarted.server.stop() }
        let store = try SQLiteServerStore(path: db, create: false)
        let state = try store.pullAll(user: manager).changes
        for (node, deal, acknowledged) in results {
            #expect(acknowledged > 0)
            #expect(acknowledged < 400 * 20, "the client was cut off by the stop, not done")
            #expect(try store.acknowledged(node: node) >= acknowledged)
            for seq in 1...max(1, acknowledged) {
                #expect(state.value("deals", deal, "f\(seq)") == .integer(Int64(seq)), "acknowledged change \(seq) of \(node) is missing")
            }
        }
    }
}

final class SyncCounter: Sendable {
    let count = Atomic<Int>(0)
}
