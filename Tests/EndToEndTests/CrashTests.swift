import Foundation
import Testing
import GSPStore
import GSPTestSupport

/// Kills `gsp deal set` processes at random moments; the replica must stay consistent:
/// every field has exactly its history and pending entries, and every edit is whole.
@Suite struct CrashTests {
    @Test func killedWritersLeaveAConsistentReplica() throws {
        let seed = TestSeed.derive(41)
        print("CrashTests seed \(seed) (replay with GSP_TEST_SEED)")
        var rng = SeededGenerator(seed: seed)
        let dir = TemporaryDirectory("gsp-crash")
        let replica = dir.path("replica.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        var deals: [String] = []
        for i in 0..<3 {
            let made = try GSPBinary.run(["deal", "new", "--account", "A\(i)", "--title", "T\(i)"], replica: replica)
            deals.append(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        // Each `deal set` writes three fields in one edit.
        var killed = 0, finished = 0
        for _ in 0..<12 {
            let batch = try (0..<4).map { _ in
                let value = Int.random(in: 0..<1_000_000, using: &rng)
                return try GSPBinary.start(["deal", "set", deals.randomElement(using: &rng)!, "next_step=step \(value)",
                                            "value=\(value) USD", "expected_close=2026-05-\(10 + value % 18)"], replica: replica)
            }
            for process in batch {
                usleep(UInt32.random(in: 0..<25_000, using: &rng))
                process.sigkill()
            }
            for process in batch {
                let result = process.wait()
                if result.killed { killed += 1 } else { finished += 1; #expect(result.status == 0, "\(result.stderr)") }
            }
        }
        print("CrashTests: \(killed) writers killed, \(finished) finished")

        let db = try Database(path: replica, create: false)
        #expect(try db.scalar("PRAGMA integrity_check")?.text == "ok")
        let key = "tbl || '/' || row || '/' || field"
        let stamp = "\(key) || '@' || hlc || '/' || node"
        let value = "kind || ':' || coalesce(vi, '') || ':' || coalesce(vt, '')"
        let fields = Set(try db.query("SELECT \(stamp), \(value) FROM fields") { $0.text(0) + "=" + $0.text(1) })
        let history = try db.query("SELECT \(stamp), \(value) FROM history") { $0.text(0) + "=" + $0.text(1) }
        let pending = try db.query("SELECT \(stamp), \(value) FROM pending") { $0.text(0) + "=" + $0.text(1) }
        // No sync ran: history and pending hold exactly the same local changes, once each.
        #expect(history.sorted() == pending.sorted())
        #expect(Set(history).count == history.count)
        // Every field's value is one of those changes: the latest for its field.
        #expect(fields.isSubset(of: Set(history)))
        let latest = try db.query("SELECT \(key), max(hlc) FROM pending GROUP BY tbl, row, field") { $0.text(0) + "@" + String($0.integer(1)) }
        let fieldStamps = try db.query("SELECT \(key), hlc FROM fields") { $0.text(0) + "@" + String($0.integer(1)) }
        #expect(Set(latest) == Set(fieldStamps))
        // Edits are whole: 5 fields for a new deal, 3 for each `deal set`.
        let editSizes = try db.query("SELECT count(*) FROM pending GROUP BY hlc") { $0.integer(0) }
        #expect(editSizes.allSatisfy { $0 == 3 || $0 == 5 }, "partial edits: \(editSizes)")
        // Every finished writer's edit is there (a killed one may or may not have committed).
        #expect(editSizes.filter { $0 == 3 }.count >= finished)
        #expect(editSizes.filter { $0 == 3 }.count <= finished + killed)
        // The file still works for the CLI.
        #expect(try GSPBinary.run(["deal", "list"], replica: replica).status == 0)
    }
}
