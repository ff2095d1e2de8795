import Foundation
import Testing
import GSPTestSupport

/// Found by a breaker: a --db that is a FIFO gave only "disk I/O error" (a folder: "unable to open
/// database file"; a one-letter folder name crashed Foundation's path code).
@Suite("gsp-server --db paths that are not database files")
struct DatabasePathTests {
    /// A --db that is not a regular file (a FIFO, a folder, a device), or in a missing folder:
    /// every command says which path and what to do, instead of "disk I/O error".
    @Test func aDatabasePathThatIsNotAFileIsNamed() throws {
        let directory = TemporaryDirectory("gsp-admin-path")
        let fifo = directory.path("pipe.db"), folder = directory.path("folder.db")
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let missing = directory.path("no/such/folder/server.db")
        let expectations: [(String, String)] = [
            (fifo, "is a FIFO (named pipe), not a regular file"),
            (folder, "is a folder, not a regular file"),
            ("/dev/null", "is a character device, not a regular file"),
            (missing, "does not exist"),
        ]
        for (path, problem) in expectations {
            for command in [["migrate"], ["user", "list"], ["user", "add", "x", "--role", "rep"], ["conflicts"],
                            ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
                let result = try AdminRun.server(command + ["--db", path])
                #expect(result.status == 1, "\(command) \(path): exit \(result.status)")
                #expect(result.stderr.contains(path), "\(command): \(result.stderr)")
                #expect(result.stderr.contains(problem), "\(command) \(path): \(result.stderr)")
                #expect(!result.stderr.contains("disk I/O error") && !result.stderr.contains("Backtrac"), "\(result.stderr)")
            }
        }
        // A bare one-letter file name in the working folder (Foundation's path code trapped on it).
        let bare = try GSPBinary.launch("/bin/sh", ["-c", "cd '\(directory.path(""))' && mkdir -p d && '\(GSPBinary.serverPath)' migrate --db d"]).wait()
        #expect(bare.status == 1 && bare.stderr.contains("cannot open d: it is a folder"), "\(bare.stderr)")
        // restore from, and backup into, such places.
        let db = directory.path("server.db")
        #expect(try AdminRun.server(["migrate", "--db", db]).status == 0)
        let fromFolder = try AdminRun.server(["restore", folder, "--db", db])
        #expect(fromFolder.status == 1 && fromFolder.stderr.contains("\(folder): it is a folder, not a backup file"), "\(fromFolder.stderr)")
        let fromFifo = try AdminRun.server(["restore", fifo, "--db", db])
        #expect(fromFifo.status == 1 && fromFifo.stderr.contains("FIFO"), "\(fromFifo.stderr)")
        let intoMissing = try AdminRun.server(["backup", missing, "--db", db])
        #expect(intoMissing.status == 1 && intoMissing.stderr.contains("does not exist"), "\(intoMissing.stderr)")
    }

    /// Found by a breaker: a libpq key=value string or `postgres:db` (no //) given to --db made a
    /// SQLite file named after it (password included) and reported success. Every command
    /// refuses such a --db, creates nothing, says to write a postgres:// URL and prints no password.
    @Test func aConnectionStringThatIsNotAURLIsRefusedAndCreatesNothing() throws {
        let directory = TemporaryDirectory("gsp-admin-conninfo")
        let refused: [(String, String)] = [
            ("host=127.0.0.1 port=5432 dbname=x user=gsp password=kvsecret", "host=H port=P dbname=D user=U password=W is postgres://U:W@H:P/D"),
            ("dbname=x", "postgres://"),
            ("postgres:db", "starts with 'postgres:'"),
            ("postgresql:gsp:pwsecret@host/db", "starts with 'postgresql:'"),
            ("file:server.db", "starts with 'file:'"),
        ]
        for (db, advice) in refused {
            for command in [["migrate"], ["migrate", "--new-epoch"], ["user", "list"], ["user", "add", "x", "--role", "rep"], ["conflicts"],
                            ["backup", "b"], ["restore", "b"], ["serve", "--listen", "127.0.0.1:0", "--quiet"]] {
                let line = (command + ["--db", db]).map { "'\($0)'" }.joined(separator: " ")
                // exec: a serve that wrongly starts is the process killed below, so the test fails instead of hanging.
                let result = try AdminRun.refused("/bin/sh", ["-c", "cd '\(directory.path(""))' && exec '\(GSPBinary.serverPath)' \(line)"])
                #expect(result.status == 1, "\(command) \(db): exit \(result.status) \(result.stdout)")
                #expect(result.stderr.contains(advice) && result.stderr.contains("postgres://"), "\(command) \(db): \(result.stderr)")
                #expect(!result.stderr.contains("secret"), "\(result.stderr)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).isEmpty, "\(command) \(db) created a file")
            }
        }
        // A file whose name has a colon or '=' still works, written as a path.
        #expect(try AdminRun.server(["migrate", "--db", directory.path("a:b=c.db")]).status == 0)
    }
}
