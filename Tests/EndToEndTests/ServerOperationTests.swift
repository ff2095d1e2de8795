import Foundation
import Testing
import GSPTestSupport

/// What an operator meets running `gsp-server`: messages that name the cause, and a restore
/// that cannot pull the database from under a running server.
@Suite struct ServerOperationTests {
    let dir = TemporaryDirectory("gsp-ops")

    func tool(_ arguments: [String]) throws -> ProcessResult { try GSPBinary.launch(GSPBinary.serverPath, arguments).wait() }

    @Test func restoreRefusesWhileServingAndListenNamesTheCause() throws {
        let db = dir.path("server.db"), backup = dir.path("backup.db")
        let (server, url) = try GSPBinary.serve(["--db", db])
        defer { server.sigkill(); _ = server.wait() }
        #expect(try tool(["backup", backup, "--db", db]).status == 0)
        let restore = try tool(["restore", backup, "--db", db])
        #expect(restore.status == 1)
        #expect(restore.stderr.contains("a gsp-server is serving"), "\(restore.stderr)")

        let port = url.split(separator: ":").last.map(String.init) ?? ""
        let taken = try tool(["serve", "--db", dir.path("other.db"), "--listen", "127.0.0.1:\(port)", "--quiet"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("the port is in use (EADDRINUSE)"), "\(taken.stderr)")
        let named = try tool(["serve", "--db", dir.path("other.db"), "--listen", "localhost:8080"])
        #expect(named.status == 64)
        #expect(named.stderr.contains("numeric IP address, not 'localhost'"), "\(named.stderr)")
        let second = try tool(["serve", "--db", db, "--listen", "127.0.0.1:0", "--quiet"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("a gsp-server is serving"))
    }

    @Test func aMissingDatabaseFolderIsNamed() throws {
        let missing = dir.path("no/such/folder/server.db")
        let result = try tool(["serve", "--db", missing, "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("does not exist"), "\(result.stderr)")
        #expect(!result.stderr.contains("SQLite error"))
    }

    @Test func helpNamesTheDashboard() throws {
        #expect(try tool(["serve", "--help"]).stdout.contains("/dashboard"))
        #expect(try tool(["--version"]).stdout.hasPrefix("gsp-server 0."))
    }

    @Test func aRepCannotOverrideAGateFromTheirReplica() throws {
        let real = RealServer(directory: dir)
        let token = try real.addUser("rita", role: "rep")
        try real.start()
        let replica = dir.path("rita.sqlite")
        func gsp(_ arguments: String...) throws -> ProcessResult { try GSPBinary.run(arguments, replica: replica) }
        #expect(try gsp("init", "--user", "rita").status == 0)
        #expect(try gsp("login", "--server", real.url, "--token", token).status == 0)
        let deal = try gsp("deal", "new", "--account", "A", "--title", "T").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let override = try gsp("deal", "advance", deal, "main_contract", "--override", "customer insists")
        #expect(override.status == 1)
        #expect(override.stderr.contains("only a manager may override a gate; ask your manager or complete:"), "\(override.stderr)")
        #expect(override.stderr.contains("passed evaluation"))
    }
}
