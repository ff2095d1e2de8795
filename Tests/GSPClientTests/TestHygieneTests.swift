import Foundation
import Synchronization
import Testing
import GSPTestSupport
#if canImport(Glibc)
import Glibc
#endif

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

    /// A connection refused used to close its socket twice (in init, then in deinit, which Swift
    /// runs after a class's init throws): the second close hit whatever descriptor another thread
    /// had opened meanwhile, and a request elsewhere saw its connection closed without an answer.
    /// Here one thread keeps opening pipes while another makes refused connections: none of the
    /// pipes may be closed under it.
    @Test func aRefusedConnectionClosesOnlyItsOwnSocket() throws {
        let port = UInt16(try FreePort.find())
        let done = Atomic<Bool>(false), lost = Atomic<Int>(0), opened = Atomic<Int>(0)
        let victim = Thread {
            while !done.load(ordering: .relaxed) {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { continue }
                opened.add(1, ordering: .relaxed)
                for _ in 0..<50 where fcntl(ends[0], F_GETFD) == -1 { lost.add(1, ordering: .relaxed); break }
                if close(ends[0]) != 0 { lost.add(1, ordering: .relaxed) }
                close(ends[1])
            }
        }
        victim.start()
        var refused = 0
        for _ in 0..<20_000 where (try? RawConnection(port: port)) == nil { refused += 1 }
        done.store(true, ordering: .relaxed)
        while !victim.isFinished { Thread.sleep(forTimeInterval: 0.001) }
        #expect(refused == 20_000, "port \(port) was expected to refuse every connection")
        #expect(opened.load(ordering: .relaxed) > 1000, "the other thread hardly ran")
        #expect(lost.load(ordering: .relaxed) == 0, "pipes closed by another thread's refused connections")
    }
}
