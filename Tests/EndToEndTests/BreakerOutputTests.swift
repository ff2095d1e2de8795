import Foundation
import Testing
import GSPTestSupport

/// Found by adversarial testing: output that cannot be written (a full disk; /dev/full here).
/// `gsp-server serve 2>>/full/disk/log` died on its first request (FileHandle.write traps on
/// ENOSPC); `gsp export csv > /full/disk/x.csv` crashed the same way; `gsp deal list --json >
/// /full/disk/x.json` exited 0 with the output lost.
@Suite struct BreakerOutputTests {
    @Test func theServerKeepsServingWhenItsRequestLogCannotBeWritten() throws {
        let dir = TemporaryDirectory("gsp-full-log")
        let server = RealServer(directory: dir)
        let token = try server.addUser("alice", role: "rep")
        try server.start(stderrPath: "/dev/full")
        let replica = dir.path("alice.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        for _ in 0..<2 {
            let login = try GSPBinary.run(["login", "--server", server.url, "--token", token], replica: replica)
            // (login saves the server anyway when it cannot check the token: it must have checked it)
            #expect(login.status == 0 && login.stdout.contains("logged in to"), "\(login.stdout) \(login.stderr)")
        }
    }

    @Test(arguments: [["deal", "list", "--json"], ["export", "csv"], ["status"]])
    func aFullStandardOutputIsAnErrorNotACrashNorASilentSuccess(command: [String]) throws {
        let dir = TemporaryDirectory("gsp-full-out")
        let replica = dir.path("r.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        #expect(try GSPBinary.run(["deal", "new", "--account", "Acme", "--title", "T"], replica: replica).status == 0)
        let result = try GSPBinary.start(command, replica: replica, stdoutPath: "/dev/full").wait()
        #expect(!result.killed, "\(result.stderr)")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write the output"), "\(result.stderr)")
    }

    /// `gsp export csv --out FILE` where FILE cannot be written printed a raw Foundation error
    /// ("Error Domain=NSCocoaErrorDomain Code=640 ..." on a full disk).
    @Test(arguments: ["missing/deals.csv", "."])
    func anExportFileThatCannotBeWrittenIsAClearError(out: String) throws {
        let dir = TemporaryDirectory("gsp-export-out")
        let replica = dir.path("r.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        let result = try GSPBinary.run(["export", "csv", "--out", dir.path(out)], replica: replica)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write \(dir.path(out))"), "\(result.stderr)")
        #expect(!result.stderr.contains("Domain="), "\(result.stderr)")
    }
}
