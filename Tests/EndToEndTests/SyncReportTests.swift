import Foundation
import Testing
import GSPTestSupport

/// What `gsp sync` and `gsp status` say about changes the server refused.
@Suite struct SyncReportTests {
    @Test func syncAndStatusShowWhatTheServerRefused() throws {
        let dir = TemporaryDirectory("gsp-refused")
        let db = dir.path("server.db")
        let added = try GSPBinary.launch(GSPBinary.serverPath, ["user", "add", "alice", "--role", "rep", "--db", db]).wait()
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, url) = try GSPBinary.serve(["--db", db])
        defer { server.sigkill(); _ = server.wait() }
        let alice = dir.path("alice.sqlite")
        func gsp(_ arguments: String...) throws -> ProcessResult {
            let result = try GSPBinary.run(arguments, replica: alice)
            #expect(result.status == 0, "gsp \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        _ = try gsp("init", "--user", "alice")
        let deal = try gsp("deal", "new", "--account", "Acme", "--title", "Port").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Before login the replica does not know alice is a rep: it records her override and
        // says the server will check; the server refuses it (managers only).
        let override = try gsp("deal", "advance", deal, "pis", "--override", "customer in a hurry")
        #expect(override.stderr.contains("the server checks at sync that you are a manager"), "\(override.stderr)")
        _ = try gsp("login", "--server", url, "--token", token)
        let synced = try gsp("sync").stdout
        #expect(synced.contains("1 refused (see 'gsp pending')"), "\(synced)")
        let refusedLine = synced.split(separator: "\n").first { $0.hasPrefix("refused   deals \(deal.prefix(8)) stage_override") }
        #expect(refusedLine?.contains("forbidden: gate overrides are for managers") == true, "\(synced)")

        let status = try gsp("status").stdout
        #expect(status.contains("pending   0 change(s), 1 refused (gsp pending)"))
        #expect(status.contains("refused   deals \(deal.prefix(8)) stage_override"))
        let json = try JSONSerialization.jsonObject(with: Data(try gsp("status", "--json").stdout.utf8)) as? [String: Any]
        let refused = json?["refused_changes"] as? [[String: Any]]
        #expect(refused?.count == 1)
        #expect(refused?.first?["code"] as? String == "forbidden")
        #expect(refused?.first?["field"] as? String == "stage_override")
        #expect(json?["last_error"] is NSNull)
    }
}
