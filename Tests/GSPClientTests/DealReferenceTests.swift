import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// Naming a deal by an id prefix: an ambiguous prefix says how many live deals it matches.
@Suite struct DealReferenceTests {
    @Test func anAmbiguousPrefixCountsEveryLiveMatch() throws {
        let r = try TestReplica().replica
        let ids = (0..<60).map { RowID(uuidString: String(format: "0000%04x-0000-4000-8000-000000000000", $0))! }
        try r.transaction {
            try r.recordLocal(ids.map { FieldWrite(.deals, $0, "title", .text("t")) })
            try r.recordLocal([FieldWrite(.deals, ids[0], "deleted", .bool(true))])
        }
        let error = #expect(throws: ReplicaError.self) { try r.resolve("0", in: .deals) }
        #expect(error?.code == .ambiguousRow)
        #expect(error?.message.contains("matches 59 deals") == true, "\(error?.message ?? "")")
    }
}
