import Foundation
import Testing
import GSPTestSupport

/// Two `gsp` replicas syncing through the real `gsp-server` on 127.0.0.1.
@Suite struct RealSyncTests {
    @Test func aRepAndAManagerSyncThroughTheServer() throws {
        let dir = TemporaryDirectory("gsp-sync-e2e")
        let server = RealServer(directory: dir)
        let db = server.db
        func serverTool(_ arguments: [String]) throws -> String {
            let result = try GSPBinary.launch(GSPBinary.serverPath, arguments).wait()
            #expect(result.status == 0, "gsp-server \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let aliceToken = try serverTool(["user", "add", "alice", "--role", "rep", "--region", "EMEA", "--db", db])
        let megToken = try server.addUser("meg", role: "manager")
        try server.start()
        let url = server.url

        let alice = dir.path("alice.sqlite"), meg = dir.path("meg.sqlite")
        func gsp(_ replica: String, _ arguments: String...) throws -> String {
            let result = try GSPBinary.run(arguments, replica: replica)
            #expect(result.status == 0, "gsp \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try gsp(alice, "init", "--user", "alice")
        _ = try gsp(alice, "login", "--server", url, "--token", aliceToken)
        _ = try gsp(meg, "init", "--user", "meg")
        _ = try gsp(meg, "login", "--server", url, "--token", megToken)

        let deal = try gsp(alice, "deal", "new", "--account", "Acme", "--title", "Port", "--value", "45000 USD")
        _ = try gsp(alice, "kpi", "add", deal, "--metric", "fps", "--unit", "fps", "--target", ">=30")
        _ = try gsp(alice, "sync")
        #expect(try gsp(alice, "pending").hasPrefix("0 change(s)"))

        _ = try gsp(meg, "sync")
        let shown = try JSONSerialization.jsonObject(with: Data(try gsp(meg, "deal", "show", deal, "--json").utf8)) as? [String: Any]
        #expect(shown?["value"] as? [String: String] == ["amount": "45000.00", "currency": "USD"])
        #expect((shown?["kpis"] as? [Any])?.count == 1)

        _ = try gsp(meg, "deal", "set", deal, "next_step=demo on site")
        _ = try gsp(meg, "sync")
        _ = try gsp(alice, "sync")
        let history = try JSONSerialization.jsonObject(with: Data(try gsp(alice, "history", deal, "--field", "next_step", "--json").utf8)) as? [[String: Any]]
        #expect(history?.first?["value"] as? String == "demo on site")
        #expect(history?.first?["user"] as? String == "meg")
        #expect(history?.first?["origin"] as? String == "pulled")

        // A second sync with nothing new is harmless.
        #expect(try GSPBinary.run(["sync"], replica: alice).status == 0)
        // A mistyped token is refused at login, and the replica keeps the good one.
        let mistyped = try GSPBinary.run(["login", "--server", url, "--token", "not-a-token"], replica: alice)
        #expect(mistyped.status == 1)
        #expect(mistyped.stderr.contains("token rejected by \(url)"))
        #expect(try GSPBinary.run(["sync"], replica: alice).status == 0)
        // A token revoked after login is refused at the next sync, with what to do next.
        _ = try serverTool(["user", "revoke", "alice", "--db", db])
        let denied = try GSPBinary.run(["sync"], replica: alice)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("token rejected: run 'gsp login --server URL --token TOKEN'"))
    }
}
