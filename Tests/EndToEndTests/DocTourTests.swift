import Foundation
import Testing
import GSPTestSupport

/// The command tours in README.md and docs/user-guide.md, run as written (with a real server on
/// a free port and the tokens it prints): a tour that no longer works fails here, not for the
/// next newcomer (one did, on a launch date before the contract's).
@Suite struct DocTourTests {
    /// The indented block of `file` that contains `marker`, without its indentation.
    static func block(_ file: String, containing marker: String) throws -> [String] {
        let text = try String(contentsOf: GSPBinary.packageRoot.appendingPathComponent(file), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let hit = lines.firstIndex(where: { $0.contains(marker) }) else { throw TestSupportError("\(file) has no '\(marker)'") }
        let isCode = { (line: String) in line.hasPrefix("    ") || line.trimmingCharacters(in: .whitespaces).isEmpty }
        var start = hit, end = hit
        while start > 0 && isCode(lines[start - 1]) { start -= 1 }
        while end + 1 < lines.count && isCode(lines[end + 1]) { end += 1 }
        return lines[start...end].map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : $0 }
    }

    /// Runs `script` with bash (errexit) in `dir` with the built binaries first on PATH.
    static func run(_ script: String, in dir: TemporaryDirectory) throws -> ProcessResult {
        let bin = (GSPBinary.path as NSString).deletingLastPathComponent
        let file = dir.path("tour.sh")
        try ("set -euo pipefail\ncd '\(dir.url.path)'\n" + script).write(toFile: file, atomically: true, encoding: .utf8)
        return try GSPBinary.launch("/bin/bash", [file], environment: [
            "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "HOME": dir.url.path,
            "GSP_REPLICA": "", "NO_COLOR": "1",
        ]).wait()
    }

    @Test func theReadmeTourRunsAsWritten() throws {
        let dir = TemporaryDirectory("gsp-readme-tour")
        let port = try FreePort.find()
        var script: [String] = []
        for line in try Self.block("README.md", containing: "gsp-server user add meg") {
            if line.hasPrefix("open ") { continue }   // a browser: nothing to run here
            var line = line.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
                .replacingOccurrences(of: "ANA_TOKEN", with: "$ANA_TOKEN").replacingOccurrences(of: "MEG_TOKEN", with: "$MEG_TOKEN")
            if line.hasPrefix("gsp-server user add meg") { line = "MEG_TOKEN=$(\(line))" }
            if line.hasPrefix("gsp-server user add ana") { line = "ANA_TOKEN=$(\(line))" }
            script.append(line)
            if line.hasPrefix("gsp-server serve") {
                // The tour's reader waits a moment by hand; the script waits for the port.
                script.append("SERVER=$!; trap 'kill $SERVER' EXIT")
                script.append("for i in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/\(port)) 2>/dev/null && break; sleep 0.05; done")
            }
        }
        let result = try Self.run(script.joined(separator: "\n"), in: dir)
        #expect(result.status == 0, "the README tour failed:\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("passes") || result.stdout.contains("pass"), "the KPI measurement was not shown:\n\(result.stdout.suffix(1500))")
    }

    @Test func theUserGuideWalkthroughRunsAsWritten() throws {
        let dir = TemporaryDirectory("gsp-guide-tour")
        let walk = try Self.block("docs/user-guide.md", containing: "gsp launch $D")
        let result = try Self.run((["export GSP_REPLICA=\(dir.path("ana.sqlite"))", "gsp init --user ana"] + walk).joined(separator: "\n"), in: dir)
        #expect(result.status == 0, "the user guide's walkthrough failed:\n\(result.stderr.suffix(2000))")
    }
}
