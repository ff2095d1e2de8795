import Foundation
import Testing
import GSPTestSupport

/// Found by adversarial testing: two `gsp init` of the same path at once. The existence check
/// and the file's creation were two steps, so both processes passed the check; the second
/// truncated the first one's new file, then one of them failed ("disk I/O error", "database is
/// locked", "table meta already exists") and deleted the file the other was building: most
/// runs ended with no replica at all.
@Suite struct BreakerRaceTests {
    @Test func twoInitsOfOnePathLeaveExactlyOneReplica() throws {
        let dir = TemporaryDirectory("gsp-init-race")
        for round in 0..<5 {
            let replica = dir.path("replica\(round).sqlite")
            let first = try GSPBinary.start(["init", "--user", "alice"], replica: replica)
            let second = try GSPBinary.start(["init", "--user", "bob"], replica: replica)
            let results = [first.wait(), second.wait()]
            #expect(results.filter { $0.status == 0 }.count == 1, "round \(round): \(results.map(\.stderr))")
            let loser = results.first { $0.status != 0 }
            #expect(loser?.stderr.contains("already exists") == true, "round \(round): \(loser?.stderr ?? "")")
            let status = try GSPBinary.run(["status"], replica: replica)
            #expect(status.status == 0, "round \(round): \(status.stderr)")
        }
    }
}
