import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport

/// Finding: after a restore a rep's replica sends again everything it holds, the manager's gate
/// overrides it had only pulled included; the server refused those (overrides are for managers)
/// and the rep was shown them as their own refusals at every sync, for changes they never made.
@Suite("Live server: values a rep relays for others after a restore")
struct RestoreRelayTests {
    /// Restarts the server on the backup (a new epoch).
    static func restore(_ team: LiveTeam, _ backup: String) throws {
        #expect(team.server.stop() == 0)
        try team.server.admin(["restore", backup])
        try team.server.start()
    }

    static func expectConverged(_ team: LiveTeam, _ replicas: [Replica], _ note: Comment) async throws {
        for replica in replicas {
            let held = try LiveTeam.fields(of: replica), view = try await team.serverView(of: replica.user)
            #expect(held == view, "\(note) \(replica.user): \(Set(held.keys).union(view.keys).filter { held[$0] != view[$0] }.sorted().prefix(5).map { "\($0) \(held[$0] ?? "-") vs \(view[$0] ?? "-")" })")
            #expect(try replica.pendingCount() == 0, "\(note) \(replica.user)")
        }
    }

    /// The backup holds the manager's overrides: the rep's replica sends them again as they are,
    /// which changes nothing and is no refusal.
    @Test func overridesTheBackupHoldsAreNoRefusalsOfTheRep() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deals = (0..<3).map { _ in RowID() }
        for (i, deal) in deals.enumerated() {
            try meg.write([FieldWrite(.deals, deal, "title", .text("imported \(i)")), FieldWrite(.deals, deal, "owner", .text("alice")),
                           FieldWrite(.deals, deal, "stage", .text("kpi")), FieldWrite(.deals, deal, "stage_override", .text("imported from CRM"))])
        }
        for replica in [meg, alice] { try await team.sync(replica) }
        let backup = team.directory.path("backup.db")
        try team.server.admin(["backup", backup])
        try alice.write([FieldWrite(.deals, deals[0], "next_step", .text("demo on Friday"))])
        try await team.sync(alice)
        let before = try team.serverStamps()
        let conflicts = try team.serverDatabase().scalar("SELECT count(*) FROM conflicts")?.integer

        try Self.restore(team, backup)
        let summary = try await team.sync(alice)
        #expect(summary.requeuedForNewEpoch > 0)
        #expect(summary.refused == 0 && summary.relayedNotTaken == 0, "\(summary)")
        let listed = try alice.refusedChanges()
        #expect(listed.isEmpty, "\(listed.map { "\($0.change.field): \($0.reason)" })")
        #expect(try team.serverStamps() == before, "alice's edit after the backup came back, and nothing else changed")
        #expect(try team.serverDatabase().scalar("SELECT count(*) FROM conflicts")?.integer == conflicts)
        try await team.sync(meg)
        let later = try await team.sync(alice)
        #expect(try alice.refusedChanges().isEmpty && later.refused == 0, "a later sync lists nothing either")
        try await Self.expectConverged(team, [meg, alice], "after the restore")
    }

    /// The manager overrode a gate after the backup. The rep's replica holds the override (pulled)
    /// and sends it again first: the server does not take it from a rep, and the rep's replica
    /// drops it quietly, back to what the server holds, until the manager's replica sends it.
    /// The rep's own refused override still shows; their own work after the backup arrives.
    @Test func anOverrideMadeAfterTheBackupIsLeftToTheManagersReplica() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deal = RowID(), other = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("Port")), FieldWrite(.deals, deal, "owner", .text("alice")),
                       FieldWrite(.deals, other, "title", .text("Tune")), FieldWrite(.deals, other, "owner", .text("alice"))])
        for replica in [meg, alice] { try await team.sync(replica) }
        let backup = team.directory.path("backup.db")
        try team.server.admin(["backup", backup])

        try meg.write([FieldWrite(.deals, deal, "stage", .text("pis")), FieldWrite(.deals, deal, "stage_override", .text("customer in a hurry"))])
        try await team.sync(meg)
        try await team.sync(alice)
        #expect(try alice.fields(of: "deals", row: deal)["stage_override"] == .text("customer in a hurry"))
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("alice's work"))])
        try await team.sync(alice)
        let before = try team.serverStamps()

        try Self.restore(team, backup)
        // Offline, alice overrides a gate herself: that one is hers, refused, and shown.
        try alice.write([FieldWrite(.deals, other, "stage_override", .text("alice's own override"))])
        let summary = try await team.sync(alice)
        #expect(summary.refused == 1, "\(summary)")
        #expect(summary.relayedNotTaken == 1, "\(summary)")
        let refused = try alice.refusedChanges()
        #expect(refused.map(\.change.value) == [.text("alice's own override")] && refused.allSatisfy { $0.change.node == alice.node },
                "\(refused.map { "\($0.change.field)=\($0.change.value) \($0.reason)" })")
        #expect(try alice.fields(of: "deals", row: deal)["stage_override"] == nil, "the replica keeps what the server holds")
        #expect(try alice.fields(of: "deals", row: deal)["next_step"] == .text("alice's work"))
        try await Self.expectConverged(team, [alice], "before the manager syncs")

        for replica in [meg, alice] { try await team.sync(replica) }
        #expect(try team.serverStamps() == before, "every change made after the backup came back")
        #expect(try alice.fields(of: "deals", row: deal)["stage_override"] == .text("customer in a hurry"))
        #expect(try alice.refusedChanges().count == 1, "only alice's own refusal is listed")
        try await Self.expectConverged(team, [meg, alice], "after everyone synced")
    }
}
