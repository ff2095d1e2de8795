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
}
