import Foundation
import Testing
import GSPCore
import GSPClient
@testable import GSPImport
import GSPTestSupport

/// Re-importing a source file after users edited its deals in GSP: the import baseline
/// keeps what the last import wrote, so only values that changed in the source are written.
@Suite struct ReimportTests {
    static let header = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    static let rows = [
        "L1,Agent A,GTX,Acme,Engaging,2017-01-02,,",
        "L2,Agent A,GTX,Beta,Engaging,2017-01-03,,",
        "L3,Agent B,GTX,Gamma,Prospecting,,,",
    ]

    func importFile(_ url: URL, into replica: Replica) throws -> Importer.Result {
        try Importer.apply(try Importer.plan(file: url, mapping: nil, preset: nil), to: replica, skipBad: false)
    }

    @Test func reimportingTheSameFileKeepsUsersEditsAndAChangedCellWritesOnlyItsField() throws {
        let dir = TemporaryDirectory()
        let file = try dir.write(Self.header + Self.rows.joined(separator: "\n") + "\n", to: "sales_pipeline.csv")
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "importer")
        _ = try importFile(file, into: replica)
        let (l1, l2, l3) = (CRMOpportunities.dealID("L1"), CRMOpportunities.dealID("L2"), CRMOpportunities.dealID("L3"))
        // A rep marks L1 lost and advances L2; a manager reassigns L3.
        try replica.write([FieldWrite(.deals, l1, "outcome", .text("lost")), FieldWrite(.deals, l1, "lost_stage", .text("poc"))])
        try replica.write([FieldWrite(.deals, l2, "stage", .text("pis"))])
        try replica.write([FieldWrite(.deals, l3, "owner", .text("Agent C"))])
        let edited = try replica.rows(of: "deals")
        let pending = try replica.pendingCount()

        let again = try importFile(file, into: replica)
        #expect(again.summary.changesWritten == 0)
        #expect(try replica.pendingCount() == pending)
        #expect(try replica.rows(of: "deals") == edited, "the users' values stand")

        // L1's agent changes in the source: only L1's owner is written.
        let changed = Self.rows[0].replacingOccurrences(of: "Agent A", with: "Agent D")
        try dir.write(Self.header + ([changed] + Self.rows.dropFirst()).joined(separator: "\n") + "\n", to: "sales_pipeline.csv")
        let update = try importFile(file, into: replica)
        #expect(update.summary.changesWritten == 1 && update.summary.rowsChanged == 1)
        var expected = edited
        expected[l1]?["owner"] = .text("Agent D")
        #expect(try replica.rows(of: "deals") == expected)
    }

    /// A replica file of format 1 (before baselines) gains the baseline table when opened; a
    /// field with no baseline yet counts as unchanged when its history already holds the value.
    @Test func aReplicaImportedBeforeBaselinesWereKeptStillKeepsUsersEdits() throws {
        let dir = TemporaryDirectory()
        let file = try dir.write(Self.header + Self.rows.joined(separator: "\n") + "\n", to: "sales_pipeline.csv")
        let path = dir.path("r.sqlite")
        do {
            let replica = try Replica.create(at: path, user: "importer")
            _ = try importFile(file, into: replica)
            try replica.write([FieldWrite(.deals, CRMOpportunities.dealID("L2"), "stage", .text("pis"))])
        }
        try OldReplicaFile.downgradeToFormat1(path)
        let replica = try Replica.open(at: path)
        #expect(try OldReplicaFile.format(path) == 3)
        let edited = try replica.rows(of: "deals")
        #expect(try importFile(file, into: replica).summary.changesWritten == 0)
        #expect(try replica.rows(of: "deals") == edited)
    }
}
