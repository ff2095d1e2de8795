import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport

/// Re-stamping after a clock-skew refusal: edits get the time they were really made, but never
/// a stamp below what their writer had already seen.
@Suite struct RestampTests {
    let other = NodeID()

    @Test func anEditKeepsItsPlaceAmongOthersEditsByItsRealTime() throws {
        let serverNow = TestReplica.start
        let clock = SharedClock(serverNow + 7_200_000)   // two hours fast
        let r = try TestReplica(clock: clock.wallClock).replica
        let deal = RowID()
        try r.applyPulled(changes: [Change(table: "deals", row: deal, field: "owner", value: .text("alice"),
                                           hlc: HLC(milliseconds: serverNow - 60_000), node: other)], cursor: 1)
        try r.write([FieldWrite(.deals, deal, "next_step", .text("mine"))])
        // The device syncs a minute later: the edit was made a minute before the server's time.
        clock.advance(by: 60_000)
        #expect(try r.restamp(after: HLC(milliseconds: serverNow + 60_000)) == 1)
        let stamp = try #require(try r.pendingChanges().first?.change.hlc)
        #expect(stamp.milliseconds == serverNow, "stamped when it was made, not when it was sent")
        #expect(try r.syncState().clockOffset == -7_200_000)
    }

    @Test func aRestampedEditStaysPastWhatItsWriterHadSeen() throws {
        let serverNow = TestReplica.start
        let r = try TestReplica(clock: .fixed(serverNow + 86_400_000)).replica
        let deal = RowID()
        // Another device slightly ahead wrote the value this edit overwrites.
        let seen = HLC(milliseconds: serverNow + 500, counter: 3)
        try r.applyPulled(changes: [Change(table: "deals", row: deal, field: "title", value: .text("theirs"), hlc: seen, node: other)], cursor: 1)
        try r.write([FieldWrite(.deals, deal, "title", .text("mine"))])
        #expect(try r.restamp(after: HLC(milliseconds: serverNow)) == 1)
        let edit = try #require(try r.pendingChanges().first?.change)
        #expect(edit.hlc > seen, "the edit must still beat the value it was made over")
        #expect(edit.prev == seen)
        #expect(try r.fields(of: "deals", row: deal)["title"] == .text("mine"))
        // A change that arrived after the edit does not hold it back.
        try r.applyPulled(changes: [Change(table: "deals", row: deal, field: "region", value: .text("EMEA"),
                                           hlc: HLC(milliseconds: serverNow + 30_000), node: other)], cursor: 2)
        try r.write([FieldWrite(.deals, deal, "stage", .text("poc"))])
        try r.restamp(after: HLC(milliseconds: serverNow + 60_000))
        let later = try #require(try r.pendingChanges().last?.change)
        #expect(later.field == "stage" && later.hlc > HLC(milliseconds: serverNow + 30_000))
    }

    /// A refused change was never accepted either; it may be sent again (after a restore), so
    /// it must not keep a stamp the server refuses.
    @Test func refusedChangesAreReStampedToo() throws {
        let serverNow = TestReplica.start
        let r = try TestReplica(clock: .fixed(serverNow + 86_400_000)).replica
        let deal = RowID()
        try r.write([FieldWrite(.deals, deal, "title", .text("refused"))])
        try r.recordRefusals([(seq: 1, code: "outOfScope", reason: "not yours")])
        try r.write([FieldWrite(.deals, deal, "region", .text("EMEA"))])
        #expect(try r.restamp(after: HLC(milliseconds: serverNow)) == 1)
        let refused = try #require(try r.refusedChanges().first)
        #expect(refused.change.hlc.milliseconds <= serverNow)
        #expect(try r.pendingChanges().allSatisfy { $0.change.hlc > refused.change.hlc }, "the order of edits is kept")
    }
}
