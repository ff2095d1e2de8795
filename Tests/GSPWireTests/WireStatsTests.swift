import Foundation
import Testing
import GSPCore
@testable import GSPWire

/// Prints (never asserts) the size figures; the full million-change run only with GSP_WIRE_STATS=1.
@Suite struct WireStatsTests {
    @Test func printsBytesPerChange() {
        let bulk = ProcessInfo.processInfo.environment["GSP_WIRE_STATS"] == "1" ? 1_000_000 : 20_000
        let pull = WireStats.pull(WireStats.pipelineHistory(changes: bulk))
        print("bulk pull, \(bulk) changes over 50,000 deals x 12 fields: \(pull)")
        let (rep, day) = WireStats.repDay()
        print("a rep's day, 200 changes over 40 deals (push): \(WireStats.push(day, node: rep))")
        #expect(pull.changes == bulk)
    }
}
