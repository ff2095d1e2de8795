import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

@Suite struct SyncPlumbingTests {
    let other = NodeID()

    func change(_ row: RowID, _ field: String, _ value: Value, ms: UInt64, counter: UInt16 = 0, table: String = "deals", node: NodeID? = nil) -> Change {
        Change(table: table, row: row, field: field, value: value, hlc: HLC(milliseconds: ms, counter: counter), node: node ?? other)
    }

    @Test func pulledChangesMergeByGreatestStamp() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "mine", account: "a")
        let local = try r.currentWinner(table: "deals", row: deal, field: "title")!
        let older = change(deal, "title", .text("older"), ms: TestReplica.start - 1)
        let newer = change(deal, "account", .text("newer"), ms: TestReplica.start + 10)
        let fresh = RowID()
        let result = try r.applyPulled(changes: [older, newer, change(fresh, "title", .text("theirs"), ms: 5), newer],
                                       nodes: [other: "bob"], cursor: 42)
        #expect(result == PullResult(applied: 2, ignored: 2, droppedRows: 0))
        #expect(try r.fields(of: "deals", row: deal)["title"] == .text("mine"))
        #expect(try r.fields(of: "deals", row: deal)["account"] == .text("newer"))
        #expect(try r.fields(of: "deals", row: fresh)["title"] == .text("theirs"))
        #expect(try r.syncState().cursor == 42)
        #expect(try r.userName(of: other) == "bob")
        // The clock moved past what it saw, so the next local edit wins over it.
        #expect(try r.clockValue() >= newer.hlc)
        try r.setDealFields(deal.lowercased, [(field: "account", text: "mine again")])
        #expect(try r.fields(of: "deals", row: deal)["account"] == .text("mine again"))
        // Pulled winners are in history, attributed to their writer; the loser is not; the local write is untouched.
        let history = try r.history(table: .deals, row: deal, field: "account")
        #expect(history.map(\.origin) == ["local", "pulled", "local"])
        #expect(history[1].user == "bob")
        #expect(try r.currentWinner(table: "deals", row: deal, field: "title") == local)
        #expect(try r.pendingChanges().allSatisfy { $0.change.node == r.node })
    }

    @Test func anErrorMidPageAppliesNothing() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a")
        let before = try ReplicaSnapshot(r)
        let good = (0..<5).map { change(RowID(), "title", .text("x\($0)"), ms: TestReplica.start + 100) }
        let bad = change(RowID(), "", .text("no field name"), ms: TestReplica.start + 100)
        let error = #expect(throws: ReplicaError.self) {
            try r.applyPulled(changes: good + [bad] + good, dropped: [RowReference(table: "deals", row: deal)], nodes: [other: "bob"], cursor: 99)
        }
        #expect(error?.message.contains("change 6 of 11") == true)
        #expect(try ReplicaSnapshot(r) == before)
        #expect(try r.syncState().cursor == 0)
    }

    @Test func droppedDealsTakeTheirChildRowsAlong() throws {
        let r = try TestReplica().replica
        let keep = try r.dealInStage(.keyAgreement), drop = try r.dealInStage(.keyAgreement)
        let kpi = try r.addKPI(drop.lowercased, metric: "m", unit: "u", target: ">=1")
        try r.logTime(drop.lowercased, engineer: "bob", hours: "1")
        let keptKPI = try r.addKPI(keep.lowercased, metric: "m", unit: "u", target: ">=1")
        try r.acknowledge(upTo: .max)
        let result = try r.applyPulled(changes: [], dropped: [RowReference(table: "deals", row: drop)], cursor: 5)
        #expect(result.droppedRows == 3)
        #expect(try r.fields(of: "deals", row: drop).isEmpty)
        #expect(try r.fields(of: "kpis", row: kpi).isEmpty)
        #expect(try r.history(table: .deals, row: drop).isEmpty)
        #expect(try r.kpis(of: keep).map(\.id) == [keptKPI])
        #expect(try r.listDeals().map(\.id) == [keep])
    }

    @Test func acknowledgeForgetsUpToTheSequence() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a")
        try r.setDealFields(deal.lowercased, [(field: "title", text: "u")])
        let all = try r.pendingChanges()
        #expect(all.map(\.seq) == Array(1...6))
        #expect(try r.pendingChanges(limit: 2).map(\.seq) == [1, 2])
        try r.acknowledge(upTo: 5)
        #expect(try r.pendingChanges().map(\.seq) == [6])
        try r.acknowledge(upTo: 3)
        #expect(try r.syncState().acknowledged == 5)
        // Sequences keep growing after an acknowledgement, so a late ack never hits a new change.
        try r.setDealFields(deal.lowercased, [(field: "title", text: "v")])
        #expect(try r.pendingChanges().map(\.seq) == [6, 7])
    }

    @Test func refusalsLeavePendingAndAreKept() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a")
        try r.recordRefusals([(seq: 2, code: "scope", reason: "deal belongs to bob")])
        #expect(try r.pendingChanges().map(\.seq) == [1, 3, 4, 5])
        let refused = try r.refusedChanges()
        #expect(refused.count == 1)
        #expect(refused[0].change.field == "account")
        #expect(refused[0].change.row == deal)
        #expect(refused[0].reason == "deal belongs to bob")
    }

    @Test func restampMovesPendingPastServerTimeKeepingEditsTogether() throws {
        // A device clock a day ahead of the server.
        let serverNow = TestReplica.start, skewed = serverNow + 86_400_000
        let r = try TestReplica(clock: .fixed(skewed)).replica
        let pulledRow = RowID()
        try r.applyPulled(changes: [change(pulledRow, "title", .text("bob's"), ms: serverNow - 5)], cursor: 1)
        let deal = try r.createDeal(title: "t", account: "a")
        try r.setDealFields(deal.lowercased, [(field: "title", text: "u")])
        let before = try r.pendingChanges()
        #expect(before.allSatisfy { $0.change.hlc.milliseconds == skewed })

        let serverTime = HLC(milliseconds: serverNow)
        #expect(try r.restamp(after: serverTime) == 6)
        let after = try r.pendingChanges()
        #expect(after.map(\.seq) == before.map(\.seq))
        // Re-stamped at the time the edits really happened (the old stamps minus the skew), not later.
        #expect(after.allSatisfy { $0.change.hlc >= serverTime && $0.change.hlc.milliseconds < serverNow + 1_000 })
        // The five fields of "new deal" still share one stamp; the later edit is later, and its prev follows.
        #expect(Set(after.prefix(5).map(\.change.hlc)).count == 1)
        #expect(after[5].change.hlc > after[0].change.hlc)
        #expect(after[5].change.prev == after[0].change.hlc)
        // Fields and history moved with them.
        #expect(try r.currentWinner(table: "deals", row: deal, field: "title")?.hlc == after[5].change.hlc)
        #expect(try r.history(table: .deals, row: deal).map(\.change.hlc).max() == after[5].change.hlc)
        #expect(try r.history(table: .deals, row: pulledRow).first?.change.hlc == HLC(milliseconds: serverNow - 5))
        // New edits use the corrected wall clock.
        try r.setDealFields(deal.lowercased, [(field: "title", text: "w")])
        #expect(try r.pendingChanges().last!.change.hlc.milliseconds < serverNow + 1_000)
        #expect(try r.syncState().clockOffset == -86_400_000)
    }

    @Test func restampKeepsEveryFieldsOrderWhenPendingOrderDiffersFromStampOrder() throws {
        // Imported timelines are pending field by field, so stamps interleave across rows:
        // row A's writes at t1, t2 come before row B's at t0, t1 in local order, and t1 is shared.
        let serverNow = TestReplica.start, future = serverNow + 86_400_000
        let r = try TestReplica(clock: .fixed(future)).replica
        let a = RowID(), b = RowID()
        func timeline(_ row: RowID, _ ms: [UInt64]) -> [StampedWrite] {
            ms.enumerated().map { StampedWrite(FieldWrite(.deals, row, "stage", .text(Stage.allCases[$0.offset].rawValue)), milliseconds: $0.element) }
        }
        _ = try r.importStamped(timeline(a, [future - 20, future - 10]) + timeline(b, [future - 30, future - 20]))
        #expect(try r.restamp(after: HLC(milliseconds: serverNow)) == 4)
        for row in [a, b] {
            let writes = try r.pendingChanges().map(\.change).filter { $0.row == row }
            #expect(writes.count == 2)
            #expect(writes[0].hlc < writes[1].hlc, "a field's edits must keep their order")
            #expect(writes[1].prev == writes[0].hlc, "the prev chain must follow the new stamps")
            #expect(try r.currentWinner(table: "deals", row: row, field: "stage")?.value == .text("poc"))
        }
    }

    @Test func importStampsFutureSourceDatesNotLaterThanNow() throws {
        let now = TestReplica.start
        let r = try TestReplica(clock: .fixed(now)).replica
        let row = RowID()
        _ = try r.importStamped([StampedWrite(FieldWrite(.deals, row, "title", .text("planned")), milliseconds: now + 90 * 86_400_000),
                                 StampedWrite(FieldWrite(.deals, row, "title", .text("later")), milliseconds: now + 91 * 86_400_000)])
        let writes = try r.pendingChanges().map(\.change)
        #expect(writes.allSatisfy { $0.hlc.milliseconds == now })
        #expect(writes[0].hlc < writes[1].hlc)
    }

    @Test func newEpochRequeuesEveryFieldAndRestartsTheCursor() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a")
        try r.acknowledge(upTo: .max)
        try r.applyPulled(changes: [change(deal, "region", .text("EMEA"), ms: 9), change(RowID(), "title", .text("x"), ms: 9)], cursor: 77)
        try r.setDealFields(deal.lowercased, [(field: "title", text: "u")])
        #expect(try r.pendingCount() == 1)
        let epoch = UUID()
        // Six field values not pending yet, and the overwritten first title: every edit made here goes again.
        #expect(try r.resetForNewEpoch(epoch) == 7)
        let state = try r.syncState()
        #expect(state.cursor == 0)
        #expect(state.epoch == epoch)
        let pending = try r.pendingChanges()
        #expect(pending.count == 8)
        // Every field value is queued once, with its own stamp and writer, and so is the local edit it overwrote.
        let fields = try r.rows(of: "deals").flatMap { row in row.value.map { "\(row.key)/\($0.key)=\($0.value)" } }
        #expect(Set(pending.map { "\($0.change.row)/\($0.change.field)=\($0.change.value)" }) == Set(fields + ["\(deal)/title=t"]))
        #expect(pending.contains { $0.change.node == other })
        // Doing it twice queues nothing more.
        #expect(try r.resetForNewEpoch(epoch) == 0)
    }
}
