import Foundation
import Testing
import GSPTestSupport

/// Found by adversarial testing: a replica the user may read but not write (a file copied
/// read-only, a folder without write access). Edits failed with a bare "SQLite error 8: attempt
/// to write a readonly database [SQL: ...]", and `gsp sync` pushed to the server first and only
/// then failed to record the acknowledgement: the server merged a push the replica never learnt about.
@Suite struct BreakerReadOnlyTests {
    /// Runs gsp as a user without write access: `nobody` under root (root writes read-only files).
    func runReadOnly(_ arguments: [String], replica: String) throws -> ProcessResult {
        if getuid() == 0 {
            return try GSPBinary.launch("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                            GSPBinary.path, "--replica", replica] + arguments).wait()
        }
        return try GSPBinary.run(arguments, replica: replica)
    }

    @Test func aReadOnlyReplicaSaysSoAndSyncSendsNothing() throws {
        guard getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let dir = TemporaryDirectory("gsp-read-only")
        let server = RealServer(directory: dir)
        let token = try server.addUser("alice", role: "rep")
        try server.start()
        let replica = dir.path("alice.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        #expect(try GSPBinary.run(["login", "--server", server.url, "--token", token], replica: replica).status == 0)
        #expect(try GSPBinary.run(["deal", "new", "--account", "Acme", "--title", "T"], replica: replica).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: replica)

        let list = try runReadOnly(["deal", "list"], replica: replica)
        // Reading works, or (no -shm file and a folder SQLite may not write) says why it cannot.
        #expect(list.status == 0 || list.stderr.contains("read-only"), "\(list.stderr)")
        #expect(!list.stderr.contains("not a GSP replica"), "\(list.stderr)")
        for command in [["deal", "new", "--account", "Acme", "--title", "U"], ["sync"]] {
            let result = try runReadOnly(command, replica: replica)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("read-only"), "\(command): \(result.stderr)")
        }
        // Nothing reached the server: once writable again, the first sync pushes the deal.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: replica)
        let sync = try GSPBinary.run(["sync"], replica: replica)
        #expect(sync.stdout.contains("pushed 5"), "\(sync.stdout) \(sync.stderr)")
        #expect(!sync.stdout.contains("pushed 0"), "\(sync.stdout)")
    }
}
