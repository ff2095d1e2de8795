import Foundation

/// Local edits: placeholder until the replica library lands; measures the raw limits now.
enum BenchLocalEdits {
    static func run(_ bench: Bench) throws {
        bench.section("SQLite limits")
        let rows = bench.quick ? 2_000 : 20_000
        let single = try RawSQLite.singleRowTransactions(bench: bench, rows: rows)
        bench.record(Figure(section: "sqlite", name: "raw insert, one row per transaction", unit: "rows/s", value: single))
        let batched = try RawSQLite.batchedUpserts(bench: bench, rows: rows * 5)
        bench.record(Figure(section: "sqlite", name: "raw upsert-if-newer, one transaction", unit: "rows/s", value: batched))
    }
}
