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

    /// Found by a breaker: `migrate --new-epoch --db x.sqlite` exited 64 but created x.sqlite, and
    /// `user add "bad name!"` exited 1 (after creating the database) although a wrong NAME is a
    /// wrong command line (exit 64, as `gsp init --user "bad name!"`). A command line refused
    /// with 64 creates nothing.
    @Test func aRefusedCommandLineExits64AndCreatesNoDatabase() throws {
        let directory = TemporaryDirectory("gsp-admin-refused")
        let db = directory.path("x.sqlite")
        let cases: [([String], String)] = [
            (["migrate", "--new-epoch", "--db", db], "--new-epoch is for PostgreSQL"),
            (["user", "add", "bad name!", "--role", "rep", "--db", db], "invalid user name 'bad name!'"),
            (["user", "add", " ana", "--role", "rep", "--db", db], "invalid user name"),
            (["user", "add", "ana", "--role", "boss", "--db", db], "--role must be rep or manager"),
        ]
        for (arguments, message) in cases {
            let result = try AdminRun.server(arguments)
            #expect(result.status == 64, "\(arguments): exit \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).isEmpty, "\(arguments) created a file")
        }
    }

    /// Found by a breaker: the `user`, `backup`, `restore` and `conflicts` help showed only
    /// `--db PATH`, and `restore --help` claimed a PATH.lock that PostgreSQL does not have.
    @Test func everyHelpShowsBothKindsOfDatabase() throws {
        for command in [["serve"], ["migrate"], ["user"], ["conflicts"], ["backup"], ["restore"]] {
            let help = try AdminRun.server(command + ["--help"])
            #expect(help.status == 0)
            let dbs = help.stdout.matches(of: /--db PATH\S*/).map { String($0.output) }
            #expect(!dbs.isEmpty && dbs.allSatisfy { $0.hasPrefix("--db PATH|") }, "\(command): \(dbs)")
        }
        let restore = try AdminRun.server(["restore", "--help"]).stdout
        #expect(restore.contains("On a SQLite file, restore refuses while a server holds PATH.lock"), "\(restore)")
        #expect(restore.contains("on PostgreSQL"), "\(restore)")
    }
}

/// Runs the real `gsp-server` to completion.
enum AdminRun {
    static func server(_ arguments: [String], stdoutPath: String? = nil) throws -> ProcessResult {
        try GSPBinary.launch(GSPBinary.serverPath, arguments, stdoutPath: stdoutPath).wait()
    }

    /// Runs a command that should stop by itself (a `serve` that must refuse to start): killed
    /// after 10 s, so a wrongly started server fails the test instead of hanging the run.
    static func refused(_ executable: String = GSPBinary.serverPath, _ arguments: [String]) throws -> ProcessResult {
        let process = try GSPBinary.launch(executable, arguments)
        for _ in 0..<1_000 where process.isRunning { usleep(10_000) }
        if process.isRunning { process.sigkill() }
        return process.wait()
    }
}
