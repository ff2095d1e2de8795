import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport

/// Found by adversarial testing: a time card whose `minutes` is a huge integer (any client may
/// sync one; the server accepts every integer) made `gsp deal show` trap on an overflow, for
/// every user who can see the deal.
@Suite struct BreakerShowTests {
    let dir = TemporaryDirectory("gsp-e2e-breaker")
    var path: String { dir.path("replica.sqlite") }

    @Test(arguments: [Int64.max, Int64.min, 90])
    func dealShowPrintsAnyMinutes(minutes: Int64) throws {
        let replica = try Replica.create(at: path, user: "meg")
        let deal = RowID(), entry = RowID(), writer = NodeID()
        func change(_ table: String, _ row: RowID, _ field: String, _ value: Value, _ n: UInt64) -> Change {
            Change(table: table, row: row, field: field, value: value, hlc: HLC(milliseconds: 1_700_000_000_000 + n), node: writer)
        }
        try replica.applyPulled(changes: [
            change("deals", deal, "title", .text("Huge time card"), 1), change("deals", deal, "owner", .text("ana"), 2),
            change("deals", deal, "stage", .text("pis"), 3), change("deals", deal, "outcome", .text("open"), 4),
            change("time_entries", entry, "deal", .text(deal.lowercased), 5), change("time_entries", entry, "engineer", .text("e"), 6),
            change("time_entries", entry, "minutes", .integer(minutes), 7),
        ], cursor: 1)
        let text = try GSPBinary.run(["deal", "show", deal.lowercased], replica: path)
        #expect(text.status == 0, "\(text.stderr)")
        if minutes == 90 { #expect(text.stdout.contains("1.50")) }
        let json = try GSPBinary.run(["deal", "show", deal.lowercased, "--json"], replica: path)
        #expect(json.status == 0, "\(json.stderr)")
    }
}
