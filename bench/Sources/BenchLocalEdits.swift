import Foundation
import GSPClient
import GSPCore

/// Local edits through the replica library (each edit its own transaction, and batched),
/// next to raw SQLite inserts on the same machine; the replica must hold what was written.
enum BenchLocalEdits {
    static func run(_ bench: Bench) throws {
        bench.section("local edits through GSPClient.Replica")
        let rows = bench.quick ? 1_000 : 10_000
        // The replica keeps SQLite's default durability in WAL mode (synchronous=FULL): so do the references.
        let single = try RawSQLite.singleRowTransactions(bench: bench, rows: rows, synchronous: "FULL")
        let batchedRaw = try RawSQLite.batchedUpserts(bench: bench, rows: rows * 5, batch: 100, synchronous: "FULL")
        bench.record(Figure(section: "local", name: "raw insert, one row per transaction, synchronous=NORMAL (context)", unit: "rows/s",
                            value: try RawSQLite.singleRowTransactions(bench: bench, rows: rows)))
        let deals = (0..<100).map { _ in RowID() }
        func edit(_ i: Int) -> FieldWrite {
            FieldWrite(.deals, deals[i % deals.count], "next_step", .text("call back \(i)"))
        }

        var replica: Replica?
        let each = try bench.median(setup: { try scratchReplica() }) { r in
            for i in 0..<rows { try r.write([edit(i)]) }
            replica = r
        }
        try verifyLast(replica!, deals: deals, edits: rows)
        let eachRate = Double(rows) / each
        bench.record(Figure(section: "local", name: "field edits, each its own transaction", unit: "edits/s", value: eachRate,
                            reference: "raw SQLite insert, one row per transaction (FULL)", referenceValue: single,
                            aim: "within 2x of raw", met: eachRate >= single / 2))

        let batchedCount = rows * 5
        let batched = try bench.median(setup: { try scratchReplica() }) { r in
            for start in stride(from: 0, to: batchedCount, by: 100) { try r.write((start..<(start + 100)).map(edit)) }
            replica = r
        }
        try verifyLast(replica!, deals: deals, edits: batchedCount)
        let batchedRate = Double(batchedCount) / batched
        bench.record(Figure(section: "local", name: "field edits, 100 per transaction", unit: "edits/s", value: batchedRate,
                            reference: "raw SQLite upsert-if-newer, 100 per transaction (FULL)", referenceValue: batchedRaw,
                            aim: "within 2x of raw", met: batchedRate >= batchedRaw / 2))
    }

    static func scratchReplica() throws -> Replica {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-replica-\(UUID().uuidString).sqlite").path
        return try Replica.create(at: path, user: "bench")
    }

    /// Each deal's next step must be the last edit written to it.
    static func verifyLast(_ replica: Replica, deals: [RowID], edits: Int) throws {
        for (d, deal) in deals.enumerated() {
            let last = (0..<edits).last { $0 % deals.count == d }!
            let stored = try replica.fields(of: "deals", row: deal)["next_step"]
            try verify(stored == .text("call back \(last)"), "deal \(d) holds \(stored.map(\.description) ?? "nothing"), not edit \(last)")
        }
    }
}
