import Foundation
import Testing
import GSPCore
import GSPClient
import GSPTestSupport

/// Issue 4, "convergence": replicas on SQLite files make random offline edits (the same
/// fields of the same deals, exact HLC ties, deletes, reassignments) and sync through the real
/// `gsp-server` in random orders, with duplicated and interrupted syncs; afterwards every
/// replica and the server hold identical values for every field in the replica's scope.
/// Replay a failure with `GSP_TEST_SEED=<printed seed>`.
@Suite("Live server: convergence", .serialized)
struct ConvergenceTests {
    @Test(arguments: 0..<4)
    func randomOfflineEditsConverge(trial: Int) async throws {
        let seed = TestSeed.derive(4_000 + trial)
        print("ConvergenceTests trial \(trial) seed \(seed) (replay with GSP_TEST_SEED=\(TestSeed.base))")
        var rng = SeededGenerator(seed: seed)
        let team = try LiveTeam(users: [("meg", "manager"), ("alice", "rep"), ("bob", "rep"), ("carol", "rep")])
        // One wall clock for everyone, moved by hand (and never behind the real time, so no
        // replica corrects it): replicas writing in the same fresh millisecond tie exactly.
        let clock = SharedClock(UInt64(Date().timeIntervalSince1970 * 1000), followingRealTime: true)
        // Alice's phone, when there is one, runs two hours fast for the middle half of the run:
        // its pushes are refused and re-stamped, then its clock is fixed again.
        let phoneSkew = DeviceSkew()
        let phone = WallClock { clock.now + phoneSkew.milliseconds.withLock { $0 } }
        let replicas = try [("meg", "meg"), ("alice", "alice"), ("alice", "alice-phone"), ("bob", "bob"), ("carol", "carol")]
            .prefix(3 + trial % 3).map { try team.replica($0.0, file: "\($0.1).sqlite", node: rng.nodeID(), clock: $0.1 == "alice-phone" ? phone : clock.wallClock) }
        let reps = ["alice", "bob", "carol"]
        let meg = replicas[0]

        // The manager sets up deals for the reps, each with a KPI.
        for i in 0..<6 {
            let deal = rng.rowID(), kpi = rng.rowID()
            try meg.write([FieldWrite(.deals, deal, "title", .text("deal \(i)")), FieldWrite(.deals, deal, "owner", .text(reps[i % 3])),
                           FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased)), FieldWrite(.kpis, kpi, "metric", .text("fps"))])
        }
        for replica in replicas { try await team.sync(replica) }
        // One sure tie to start with: the manager and alice write one field in one fresh millisecond
        // (50 ms ahead of the real clock, so the clock stays still between the two writes).
        clock.advance(by: 50)
        let first = try Self.deals(of: replicas[1])[0]
        try meg.write([FieldWrite(.deals, first, "next_step", .text("meg's tie"))])
        try replicas[1].write([FieldWrite(.deals, first, "next_step", .text("alice's tie"))])
        for replica in replicas.prefix(2) { try await team.sync(replica) }

        var ties = 0, interrupted = 0, restamped = 0
        // Odd trials take a backup early and restore it later (a new epoch mid-run).
        let backupAt = trial % 2 == 1 ? Int.random(in: 20..<80, using: &rng) : -1
        let restoreAt = backupAt < 0 ? -1 : backupAt + Int.random(in: 40..<100, using: &rng)
        let backup = team.directory.path("backup.db")
        // GSP_CONVERGENCE_STEPS makes a longer soak run.
        let steps = ProcessInfo.processInfo.environment["GSP_CONVERGENCE_STEPS"].flatMap(Int.init) ?? 200
        for step in 0..<steps {
            if step == steps / 4 || step == steps * 3 / 4 { phoneSkew.milliseconds.withLock { $0 = $0 == 0 ? 2 * 3_600_000 : 0 } }
            if step == backupAt { try team.server.admin(["backup", backup]) }
            if step == restoreAt {
                team.server.kill()
                try team.server.admin(["restore", backup])
                try team.server.start()
            } else if Int.random(in: 0..<40, using: &rng) == 0 {
                // The server is killed (no graceful stop) and started again on the same file.
                team.server.kill()
                try team.server.start()
            }
            clock.advance(by: UInt64.random(in: 0...2, using: &rng))
            let replica = replicas.randomElement(using: &rng)!
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...2:
                try edit(replica, step: step, using: &rng)
            case 3:
                // Two replicas write the same field in the same fresh millisecond: equal HLCs.
                clock.advance(by: 50)
                if let row = try Self.deals(of: replica).randomElement(using: &rng),
                   let other = try replicas.filter({ try $0 !== replica && Self.deals(of: $0).contains(row) }).randomElement(using: &rng) {
                    try replica.write([FieldWrite(.deals, row, "next_step", .text("tie a\(step)"))])
                    try other.write([FieldWrite(.deals, row, "next_step", .text("tie b\(step)"))])
                    ties += 1
                }
            case 4:
                if let row = try (Self.rows(of: replica, "kpis") + Self.deals(of: replica)).randomElement(using: &rng) {
                    let table: Schema.Table = try Self.deals(of: replica).contains(row) ? .deals : .kpis
                    try replica.write([FieldWrite(table, row, "deleted", .bool(true))])
                }
            case 5 where replica === meg && Bool.random(using: &rng):
                // The manager moves a KPI to another deal (perhaps another rep's): it follows.
                if let kpi = try Self.rows(of: meg, "kpis").randomElement(using: &rng), let deal = try Self.deals(of: meg).randomElement(using: &rng) {
                    try meg.write([FieldWrite(.kpis, kpi, "deal", .text(deal.lowercased))])
                }
            case 5:
                if let deal = try Self.deals(of: replica).randomElement(using: &rng) {
                    // The manager reassigns any deal; a rep hands over one of theirs.
                    try replica.write([FieldWrite(.deals, deal, "owner", .text(reps.randomElement(using: &rng)!))])
                }
            case 6 where Bool.random(using: &rng):
                // A gate override: the manager's is kept, a rep's is refused (and must not linger on the rep's replica).
                if let deal = try Self.deals(of: replica).randomElement(using: &rng) {
                    try replica.write([FieldWrite(.deals, deal, "stage", .text("launch")), FieldWrite(.deals, deal, "stage_override", .text("\(replica.user) says so \(step)"))])
                }
            case 6:
                if let deal = try Self.deals(of: replica).randomElement(using: &rng) {
                    // A KPI, or a row of a table from a newer schema: it follows its deal all the same.
                    let table = Bool.random(using: &rng) ? "kpis" : "gadgets", row = rng.rowID()
                    try replica.write([FieldWrite(table: table, row: row, field: "deal", value: .text(deal.lowercased)),
                                       FieldWrite(table: table, row: row, field: "metric", value: .text("m\(step)"))])
                }
            default:
                // A sync, sometimes cut off before the request leaves or after the server answered,
                // sometimes run twice, with small batches and pages so rounds interleave.
                let faults: [FlakyTransport.Fault] = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                    [.none, .beforeSending, .answerLost].randomElement(using: &rng)!
                }
                for _ in 0..<(Bool.random(using: &rng) ? 2 : 1) {
                    do {
                        restamped += try await team.sync(replica, faults: faults, pushLimit: Int.random(in: 1...6, using: &rng),
                                                         pageSize: UInt32.random(in: 1...9, using: &rng)).restamped
                    } catch let error as SyncError where error.code == .transport {
                        interrupted += 1
                    }
                }
            }
        }
        // Everyone syncs until nothing moves: three passes in a random order.
        for _ in 0..<3 {
            for replica in replicas.shuffled(using: &rng) { try await team.sync(replica, pageSize: 50) }
        }
        // Exact ties did happen: one field, one HLC, two writers.
        let tied = try team.serverDatabase().scalar("SELECT count(*) FROM (SELECT 1 FROM history GROUP BY tbl, row, field, hlc HAVING count(DISTINCT node) > 1)")?.integer ?? 0
        print("ConvergenceTests trial \(trial): \(restamped) re-stamped, \(ties) tie attempts, \(tied) exact ties stored, \(interrupted) interrupted syncs, \(try team.serverHistoryCount()) changes on the server")
        #expect(tied > 0, "seed \(seed): no exact HLC tie reached the server")

        let managerView = try await team.serverView(of: "meg")
        let stamps = managerView.mapValues { String($0[$0.range(of: " @ ")!.upperBound...]) }
        #expect(stamps == (try team.serverStamps()), "seed \(seed): a fresh manager replica does not hold the server's winners")
        for replica in replicas {
            #expect(try replica.pendingCount() == 0, "seed \(seed): \(replica.path) still has pending changes")
            let view = replica.user == "meg" ? managerView : try await team.serverView(of: replica.user)
            let held = try LiveTeam.fields(of: replica)
            let differing = Set(held.keys).union(view.keys).filter { held[$0] != view[$0] }.sorted()
            if let first = differing.first, ProcessInfo.processInfo.environment["GSP_DEBUG"] != nil {
                let row = String(first.split(separator: "/")[1])
                let db = try team.serverDatabase()
                print("DEBUG server history", try db.query("SELECT id, field, CAST(value AS TEXT), hlc, node, user, winner FROM history WHERE row = ? ORDER BY id", [.text(row)]) { "\($0.integer(0)) \($0.text(1))=\($0.text(2)) \($0.integer(3)) \($0.text(4).prefix(4)) \($0.text(5)) w\($0.integer(6))" })
                print("DEBUG scope_log", try db.query("SELECT seq, user FROM scope_log WHERE row = ?", [.text(row)]) { "\($0.integer(0)) \($0.text(1))" }, "owner", try db.query("SELECT owner FROM deal_owners WHERE deal = ?", [.text(row)]) { $0.text(0) })
                print("DEBUG replica", replica.user, replica.node.description.prefix(4), try replica.syncState().cursor, try replica.refusedChanges().filter { $0.change.row.lowercased == row }.map { "\($0.change.field) \($0.code) \($0.change.hlc.rawValue)" })
            }
            #expect(differing.isEmpty, "seed \(seed): \(replica.path) differs from the server on \(differing.count) field(s): \(differing.prefix(5).map { "\($0): \(held[$0] ?? "-") vs \(view[$0] ?? "-")" })")
        }
    }

    /// A random edit of a shared field of a deal the replica holds (or a KPI's metric).
    private func edit(_ replica: Replica, step: Int, using rng: inout SeededGenerator) throws {
        if Bool.random(using: &rng), let kpi = try Self.rows(of: replica, "kpis").randomElement(using: &rng) {
            try replica.write([FieldWrite(.kpis, kpi, "metric", .text("metric \(step)"))])
        } else if let deal = try Self.deals(of: replica).randomElement(using: &rng) {
            let field = ["title", "next_step", "region"].randomElement(using: &rng)!
            try replica.write([FieldWrite(.deals, deal, field, .text("\(replica.user) \(step)"))])
        }
    }

    static func deals(of replica: Replica) throws -> [RowID] { try rows(of: replica, "deals") }

    static func rows(of replica: Replica, _ table: String) throws -> [RowID] {
        try replica.rows(of: table).keys.sorted { $0.lowercased < $1.lowercased }
    }
}
