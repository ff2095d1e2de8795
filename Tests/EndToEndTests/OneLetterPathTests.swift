import Foundation
import Testing
import GSPTestSupport

/// Found while hardening gsp-server: Foundation's NSString path code traps on a one-character
/// relative name, so `gsp-server migrate --db d` and `GSP_REPLICA=r gsp init` crashed.
@Suite struct OneLetterPathTests {
    func shell(_ script: String) throws -> ProcessResult {
        try GSPBinary.launch("/bin/sh", ["-c", script]).wait()
    }

    @Test func oneLetterNamesInTheWorkingFolderWork() throws {
        let dir = TemporaryDirectory("gsp-one-letter")
        let folder = dir.path("")
        let server = GSPBinary.serverPath, gsp = GSPBinary.path
        let migrated = try shell("cd '\(folder)' && '\(server)' migrate --db s")
        #expect(migrated.status == 0 && !migrated.killed, "\(migrated.stderr)")
        let initialised = try shell("cd '\(folder)' && GSP_REPLICA=r '\(gsp)' init --user bob")
        #expect(initialised.status == 0 && !initialised.killed, "\(initialised.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path("r")))
        let plain = try shell("cd '\(folder)' && '\(gsp)' --replica q init --user bob")
        #expect(plain.status == 0 && !plain.killed, "\(plain.stderr)")
    }
}
