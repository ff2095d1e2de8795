import Foundation
import Testing
import GSPTestSupport

/// Found by a breaker: `gsp-server user add -r` (a short option, or a flag missing its value) was
/// accepted, even adding a user named "-r".
@Suite("gsp-server command lines")
struct CommandLineTests {
    /// Every command refuses, with exit 64 and a message naming the word, a flag missing its
    /// value, an unknown or short flag, a flag given twice, and a value given to a switch.
    @Test func wrongFlagsExit64NamingTheFlag() throws {
        let directory = TemporaryDirectory("gsp-admin-flags")
        let db = directory.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        let cases: [([String], String)] = [
            (["user", "add", "-r"], "-r"),
            (["user", "add", "x", "-r", "rep", "--db", db], "-r"),
            (["user", "add", "-r", "--role", "rep", "--db", db], "-r"),
            (["user", "add", "x", "--role", "--db", db], "--role"),
            (["user", "add", "x", "--role", "rep", "--db"], "--db"),
            (["user", "add", "x", "--role", "rep", "--role", "manager", "--db", db], "--role"),
            (["user", "add", "x", "--role", "rep", "--region", "--db", db], "--region"),
            (["user", "list", "--json=yes", "--db", db], "--json"),
            (["user", "list", "--json", "--json", "--db", db], "--json"),
            (["user", "list", "-j", "--db", db], "-j"),
            (["user", "revoke", "x", "--db", db, "--db", db], "--db"),
            (["serve", "--db", db, "--listen"], "--listen"),
            (["serve", "--db", db, "--listen", "127.0.0.1:0", "-q"], "-q"),
            (["serve", "--db", db, "--listen", "127.0.0.1:0", "--quiet", "--quiet"], "--quiet"),
            (["serve", "--db", db, "--listen", "127.0.0.1:0", "--max-connections-per-ip"], "--max-connections-per-ip"),
            (["serve", "--db", db, "--listen", "127.0.0.1:0", "--max-connections-per-ip", "-1"], "--max-connections-per-ip"),
            (["serve", "--db", db, "--listen", "127.0.0.1:0", "--max-connections-per-ip", "many"], "--max-connections-per-ip"),
            (["migrate", "--new-epoch=1", "--db", db], "--new-epoch"),
            (["migrate", "--db", "--new-epoch"], "--db"),
            (["conflicts", "--since", "--db", db], "--since"),
            (["backup", "-f", directory.path("b.db"), "--db", db], "-f"),
            (["backup", directory.path("b.db"), "--db"], "--db"),
            (["restore", "--db"], "--db"),
        ]
        for (arguments, flag) in cases {
            let result = try AdminRun.server(arguments)
            #expect(result.status == 64, "\(arguments): exit \(result.status)")
            let firstLine = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.contains(flag), "\(arguments): \(firstLine)")
        }
        // Nothing was added on the way: above all no user named "-r".
        #expect(try AdminRun.server(["user", "list", "--json", "--db", db]).stdout.filter { !$0.isWhitespace } == "[]")
        // A value that starts with '-' still goes through, written --name=VALUE; "--" ends the options.
        #expect(try AdminRun.server(["user", "add", "--role=rep", "--db=\(db)", "--", "-dash"]).status == 0)
    }
}

/// Runs the real `gsp-server` to completion.
enum AdminRun {
    static func server(_ arguments: [String], stdoutPath: String? = nil) throws -> ProcessResult {
        try GSPBinary.launch(GSPBinary.serverPath, arguments, stdoutPath: stdoutPath).wait()
    }
}
