import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// Replica files of older formats open, migrate and keep everything they held.
@Suite struct ReplicaMigrationTests {
    /// Format 2 indexed pending by field key; format 3 does not. A format-2 file with unsent
    /// edits opens as format 3 with the same fields, history and pending edits, and a row
    /// the server drops still moves its unsent edits to the refused list.
    @Test func aFormat2ReplicaWithPendingEditsMigratesWithNothingLost() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("r.sqlite")
        let deal = RowID(), other = RowID()
        let before: (pending: [PendingChange], history: [HistoryEntry], fields: [String: Value])
        do {
            let replica = try Replica.create(at: path, user: "ann")
            try replica.write([FieldWrite(.deals, deal, "title", .text("Acme")), FieldWrite(.deals, deal, "next_step", .text("call"))])
            try replica.write([FieldWrite(.deals, deal, "next_step", .text("call back"))])
            try replica.write([FieldWrite(.deals, other, "title", .text("Other"))])
            before = (try replica.pendingChanges(), try replica.history(table: .deals, row: deal), try replica.fields(of: "deals", row: deal))
        }
        try OldReplicaFile.downgradeToFormat2(path)
        #expect(try OldReplicaFile.hasIndex(path, "pending_key"))

        let replica = try Replica.open(at: path)
        #expect(try OldReplicaFile.format(path) == ReplicaSchema.format)
        #expect(try !OldReplicaFile.hasIndex(path, "pending_key"))
        #expect(try replica.pendingChanges() == before.pending)
        #expect(try replica.history(table: .deals, row: deal) == before.history)
        #expect(try replica.fields(of: "deals", row: deal) == before.fields)

        // Pending is looked up by row without its index now: a dropped row's edits are refused, the other's stay.
        _ = try replica.applyPulled(changes: [], dropped: [RowReference(table: "deals", row: deal)], cursor: 1)
        #expect(try replica.pendingChanges().map(\.change.row) == [other])
        #expect(try replica.refusedChanges().count == 3)
    }
}
