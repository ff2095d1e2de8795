import Foundation
import Testing
import GSPTestSupport

/// Which replica `gsp` uses: `--replica PATH`, else `$GSP_REPLICA`, else a per-user default
/// (`$XDG_DATA_HOME/gsp/replica.sqlite`, else `~/.local/share/gsp/replica.sqlite`).
@Suite struct ReplicaPathTests {
    func run(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
        try GSPBinary.launch(GSPBinary.path, arguments, environment: environment).wait()
    }

    @Test func optionThenEnvironmentThenPerUserDefault() throws {
        let dir = TemporaryDirectory("gsp-paths")
        let flag = dir.path("flag.sqlite"), env = dir.path("env.sqlite")
        let home = dir.path("home"), xdg = dir.path("xdg")
        let fm = FileManager.default

        // --replica wins over $GSP_REPLICA (the option may come before or after the command).
        #expect(try run(["--replica", flag, "init", "--user", "ana"], ["GSP_REPLICA": env]).status == 0)
        #expect(fm.fileExists(atPath: flag) && !fm.fileExists(atPath: env))
        #expect(try run(["deal", "list", "--replica", flag], ["GSP_REPLICA": env]).status == 0)

        // $GSP_REPLICA when there is no option.
        #expect(try run(["init", "--user", "bo"], ["GSP_REPLICA": env, "HOME": home, "XDG_DATA_HOME": xdg]).status == 0)
        #expect(fm.fileExists(atPath: env) && !fm.fileExists(atPath: xdg + "/gsp/replica.sqlite"))

        // The per-user default: $XDG_DATA_HOME, else under $HOME.
        #expect(try run(["init", "--user", "cy"], ["GSP_REPLICA": "", "HOME": home, "XDG_DATA_HOME": xdg]).status == 0)
        #expect(fm.fileExists(atPath: xdg + "/gsp/replica.sqlite"))
        #expect(try run(["init", "--user", "di"], ["GSP_REPLICA": "", "HOME": home, "XDG_DATA_HOME": ""]).status == 0)
        #expect(fm.fileExists(atPath: home + "/.local/share/gsp/replica.sqlite"))
        let status = try run(["status", "--json"], ["GSP_REPLICA": "", "HOME": home, "XDG_DATA_HOME": ""])
        #expect(status.stdout.contains("\"user\":\"di\"") || status.stdout.contains("\"user\": \"di\""), "\(status.stdout)")
    }
}
