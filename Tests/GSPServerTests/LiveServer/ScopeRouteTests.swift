import Foundation
import Testing
import GSPCore
import GSPClient
import GSPPipeline
import GSPServer
import GSPTestSupport

/// Issue 4, "scopes": a rep cannot read or write another rep's deal through any route of the
/// real `gsp-server`, and a reassigned deal moves whole between the reps' replicas.
@Suite("Live server: scopes on every route")
struct ScopeRouteTests {
    /// A deal for `owner` with a KPI, a time card and a visit; returns every row id.
    static func dealFamily(_ replica: Replica, owner: String, marker: String) throws -> [Schema.Table: RowID] {
        let deal = RowID(), kpi = RowID(), time = RowID(), visit = RowID()
        try replica.write([
            FieldWrite(.deals, deal, "title", .text("\(marker) deal")), FieldWrite(.deals, deal, "owner", .text(owner)),
            FieldWrite(.deals, deal, "stage", .text("pis")), FieldWrite(.deals, deal, "value", .money(Money(minorUnits: 4_500_000, currency: "USD"))),
            FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("\(marker) kpi")),
            FieldWrite(.time_entries, time, "deal", .text(deal.lowercased)), FieldWrite(.time_entries, time, "minutes", .integer(90)),
            FieldWrite(.time_entries, time, "note", .text("\(marker) hours")),
            FieldWrite(.activities, visit, "deal", .text(deal.lowercased)), FieldWrite(.activities, visit, "note", .text("\(marker) visit")),
        ])
        return [.deals: deal, .kpis: kpi, .time_entries: time, .activities: visit]
    }

    static func rows(_ fields: [String: String]) -> Set<String> {
        Set(fields.keys.map { $0.split(separator: "/")[1].lowercased() })
    }

    @Test func aRepReachesNoOtherRepsDealOnAnyRoute() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let mine = try Self.dealFamily(meg, owner: "alice", marker: "ALICE-SECRET")
        let bobs = try Self.dealFamily(meg, owner: "bob", marker: "BOB-SECRET")
        try await team.sync(meg)
        try await team.sync(alice)
        let bobRows = Set(bobs.values.map(\.lowercased))
        #expect(Self.rows(try LiveTeam.fields(of: alice)).isSuperset(of: Set(mine.values.map(\.lowercased))))
        #expect(Self.rows(try LiveTeam.fields(of: alice)).isDisjoint(with: bobRows))

        // Writes to bob's deal and its children, even knowing their ids, are refused one by one.
        let bobsBefore = try await team.serverView(of: "bob")
        try alice.write([FieldWrite(.deals, bobs[.deals]!, "stage", .text("launch"))])
        try alice.write([FieldWrite(.deals, bobs[.deals]!, "owner", .text("alice"))])
        try alice.write([FieldWrite(.kpis, bobs[.kpis]!, "metric", .text("mine now"))])
        try alice.write([FieldWrite(.kpis, RowID(), "deal", .text(bobs[.deals]!.lowercased))])
        try alice.write([FieldWrite(.time_entries, bobs[.time_entries]!, "deal", .text(mine[.deals]!.lowercased))])
        let summary = try await team.sync(alice)
        #expect(summary.refused == 5)
        #expect(try alice.refusedChanges().allSatisfy { $0.code == "outOfScope" })
        #expect(try await team.serverView(of: "bob") == bobsBefore, "nothing of alice's writes reached bob's deal")

        // Every route, as alice: manager routes refuse her; none answers with bob's data.
        let token = team.tokens["alice"]!
        let port = team.server.port
        var checked: Set<String> = []
        func get(_ method: String, _ path: String, headers: [String: String], body: Data = Data()) throws -> Int {
            let answer = try #require(try RawHTTP.request(port: port, method, path, headers: headers, body: body))
            let text = String(decoding: answer.body, as: UTF8.self).lowercased()
            #expect(!text.contains("bob-secret") && bobRows.allSatisfy { !text.contains($0) }, "\(method) \(path) shows bob's deal")
            checked.insert("\(method) \(path.split(separator: "?")[0])")
            return answer.status
        }
        let bearer = ["Authorization": "Bearer \(token)"]
        #expect(try get("GET", "/healthz", headers: [:]) == 200)
        #expect(try get("GET", "/readyz", headers: [:]) == 200)
        #expect(try get("GET", "/v1/whoami", headers: bearer) == 200)
        #expect(try get("GET", "/v1/conflicts", headers: bearer) == 403)
        for report in ReportName.allCases {
            #expect(try get("GET", "/v1/reports/\(report.rawValue)?group_by=owner", headers: bearer.merging(["Accept": "text/csv"]) { $1 }) == 403)
        }
        #expect(try get("GET", "/dashboard", headers: bearer) == 403)
        #expect(try get("GET", "/dashboard", headers: ["Cookie": "gsp_token=\(token)"]) == 403)
        #expect(try get("POST", "/dashboard/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                        body: Data("token=\(token)".utf8)) == 403)
        #expect(try get("GET", "/dashboard/logout", headers: bearer) == 303)
        // The pull route: a replica of alice's made from scratch holds none of bob's rows.
        #expect(Self.rows(try await team.serverView(of: "alice")).isDisjoint(with: bobRows))
        checked.insert("POST /v1/sync")

        // Every route the server has was checked above (a new route must be added here).
        let fixture = try ServerFixture()
        let all = Set(fixture.server.router.routes.map { "\($0.method) \($0.path)" + ($0.prefix ? "*" : "") })
        let covered = Set(checked.map { $0.hasPrefix("GET /v1/reports/") ? "GET /v1/reports/*" : $0 })
        #expect(all == covered, "routes not checked for scope: \(all.subtracting(covered).sorted())")
    }

    @Test func aReassignedDealMovesWholeBetweenReplicas() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice"), bob = try team.replica("bob")
        let family = try Self.dealFamily(meg, owner: "alice", marker: "MOVING")
        let familyRows = Set(family.values.map(\.lowercased))
        for replica in [meg, alice, bob] { try await team.sync(replica) }
        #expect(Self.rows(try LiveTeam.fields(of: alice)) == familyRows)
        #expect(try LiveTeam.fields(of: bob).isEmpty)

        for (from, to) in [(alice, bob), (bob, alice)] {
            try meg.write([FieldWrite(.deals, family[.deals]!, "owner", .text(to.user))])
            try await team.sync(meg)
            try await team.sync(from)
            try await team.sync(to)
            #expect(try LiveTeam.fields(of: from).isEmpty, "\(from.user) still holds rows of a deal now \(to.user)'s")
            #expect(Self.rows(try LiveTeam.fields(of: to)) == familyRows, "\(to.user) lacks rows of the deal given to them")
            #expect(try LiveTeam.fields(of: to) == (try await team.serverView(of: to.user)))
            #expect(try LiveTeam.fields(of: to).filter { $0.key.hasPrefix("deals/") } == (try LiveTeam.fields(of: meg)).filter { $0.key.hasPrefix("deals/") })
        }
    }

    /// Edits not yet sent when the deal is taken away are refused like sent ones: listed by
    /// `gsp pending`, never dropped without a word.
    @Test func unsentEditsToADealThatLeftAreShownAsRefused() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("D")), FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        for step in ["call", "visit", "demo"] { try alice.write([FieldWrite(.deals, deal, "next_step", .text(step))]) }
        try meg.write([FieldWrite(.deals, deal, "owner", .text("bob"))])
        try await team.sync(meg)
        // One change per round: the deal is dropped after the first, with two edits still unsent.
        try await team.sync(alice, pushLimit: 1)
        #expect(try alice.pendingCount() == 0)
        #expect(try alice.refusedChanges().map(\.change.value).sorted { $0.description < $1.description }
                == [.text("call"), .text("demo"), .text("visit")])
        #expect(try LiveTeam.fields(of: alice).isEmpty)
    }

    /// Alice hands her deal to bob and edits it before her sync has pulled the hand-over; the
    /// edit is refused. The deal comes back to her before she pulls the drop, so no drop
    /// comes: her refused value must not hide the server's.
    @Test func aRefusedEditDoesNotLingerWhenTheDealComesBackBeforeTheDrop() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deal = RowID(), other = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("D")), FieldWrite(.deals, deal, "owner", .text("alice")),
                       FieldWrite(.deals, deal, "region", .text("EMEA")), FieldWrite(.deals, other, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        // Changes for alice to pull first, one per page, so the drop is still ahead of her cursor.
        for field in ["title", "next_step", "region", "contact"] {
            try meg.write([FieldWrite(.deals, other, field, .text("\(field) by meg"))])
        }
        try await team.sync(meg)
        try alice.write([FieldWrite(.deals, deal, "owner", .text("bob"))])
        try alice.write([FieldWrite(.deals, deal, "region", .text("APAC"))])
        // Round 1 hands the deal over, round 2's edit is refused, round 3 never leaves.
        await #expect(throws: SyncError.self) {
            try await team.sync(alice, faults: [.none, .none, .beforeSending], pushLimit: 1, pageSize: 1)
        }
        #expect(try alice.refusedChanges().map(\.change.field) == ["region"])
        try meg.write([FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        #expect(try alice.fields(of: "deals", row: deal)["region"] == .text("EMEA"))
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
        #expect(try alice.refusedChanges().map(\.change.field) == ["region"], "still listed as refused")
    }

    /// A push is taken, its answer lost, then the deal is reassigned: the retried push must get
    /// the answer the first one would have had (taken), not a refusal of what is stored.
    @Test func aRetriedPushIsNotRefusedForAScopeItHadWhenTaken() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deal = RowID()
        try meg.write([FieldWrite(.deals, deal, "title", .text("D")), FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        try alice.write([FieldWrite(.deals, deal, "next_step", .text("demo"))])
        await #expect(throws: SyncError.self) { try await team.sync(alice, faults: [.answerLost]) }
        try meg.write([FieldWrite(.deals, deal, "owner", .text("bob"))])
        try await team.sync(meg)
        let summary = try await team.sync(alice)
        #expect(summary.refused == 0)
        #expect(try alice.refusedChanges().isEmpty)
        #expect(try LiveTeam.fields(of: alice).isEmpty, "the deal left alice's replica")
        #expect(try team.serverDatabase().scalar("SELECT CAST(value AS TEXT) FROM fields WHERE field = 'next_step'")?.text == "demo")
    }

    /// A KPI went up with a push whose answer was lost; the next sync pulls its deal's drop
    /// before re-sending it, so the replica counts it as unsent and refused. When the deal comes
    /// back, the server sends that very change: it must stay, not be taken back.
    @Test func aChangeTakenButCountedUnsentSurvivesTheDealsReturn() async throws {
        let team = try LiveTeam()
        let meg = try team.replica("meg"), alice = try team.replica("alice")
        let deal = RowID(), other = RowID(), kpi = RowID()
        try meg.write([FieldWrite(.deals, deal, "owner", .text("alice")), FieldWrite(.deals, other, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        try alice.write([FieldWrite(.deals, other, "next_step", .text("call"))])
        try alice.write([FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("fps"))])
        await #expect(throws: SyncError.self) { try await team.sync(alice, faults: [.answerLost], pushLimit: 2) }
        try meg.write([FieldWrite(.deals, deal, "owner", .text("bob"))])
        try await team.sync(meg)
        try await team.sync(alice, pushLimit: 1)
        try meg.write([FieldWrite(.deals, deal, "owner", .text("alice"))])
        try await team.sync(meg)
        try await team.sync(alice)
        #expect(try alice.fields(of: "kpis", row: kpi)["deal"] == .text(deal.lowercased))
        #expect(try LiveTeam.fields(of: alice) == (try await team.serverView(of: "alice")))
    }
}
