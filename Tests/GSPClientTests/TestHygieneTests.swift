import Foundation
import Testing
import GSPTestSupport

/// Rules the tests themselves keep, so a whole run cannot hang on a loaded machine.
@Suite struct TestHygieneTests {
    /// Foundation's URLSession left async requests unanswered forever on Linux under load (no
    /// timeout fired), hanging `make test`. Tests send HTTP through TestHTTP, RawHTTP or the
    /// client's libcurl; only the transport test that checks URLSessionHTTPClient itself may use it.
    @Test func noTestSendsHTTPThroughURLSession() throws {
        let allowed: Set<String> = ["HTTPTransportTests.swift"]
        let folder = GSPBinary.packageRoot.appendingPathComponent("Tests")
        var findings: [String] = []
        var files = 0
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift", !allowed.contains(url.lastPathComponent),
                  url.lastPathComponent != "TestHygieneTests.swift" else { continue }
            files += 1
            for (n, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").enumerated()
            where line.contains("URLSession.") || line.contains("URLSession(") || line.contains("URLRequest(") {
                findings.append("\(url.lastPathComponent):\(n + 1)")
            }
        }
        #expect(files > 50, "the test folders were not found")
        #expect(findings.isEmpty, "tests sending HTTP through URLSession (use TestHTTP): \(findings)")
    }

    /// Foundation's Process here sometimes missed a child's exit or returned before its output
    /// was all there (a test read an empty token, an empty checker report). Tests start
    /// processes through GSPBinary.launch (posix_spawn and waitpid), nothing else.
    @Test func noTestStartsProcessesThroughFoundation() throws {
        let folder = GSPBinary.packageRoot.appendingPathComponent("Tests")
        var findings: [String] = []
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift", url.lastPathComponent != "TestHygieneTests.swift" else { continue }
            for (n, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").enumerated()
            where line.contains("Process()") || line.contains("waitUntilExit") {
                findings.append("\(url.lastPathComponent):\(n + 1)")
            }
        }
        #expect(findings.isEmpty, "tests starting processes through Foundation's Process (use GSPBinary.launch): \(findings)")
    }
}
