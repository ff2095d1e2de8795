import Foundation

/// Local edits: placeholder until the replica library lands; measures the raw limits now.
enum BenchLocalEdits {
    static let replicaAvailable = false

    static func run(_ bench: Bench) throws {
        bench.section("SQLite limits")
        if !replicaAvailable {
            bench.note("local edit rate through GSPClient.Replica not measured: the replica library was not in main for this run; the raw SQLite limits it will be compared with are below")
            bench.note("PostgreSQL figures not measured: the PostgreSQL backend was not in main for this run")
        }
        let rows = bench.quick ? 2_000 : 20_000
        let single = try RawSQLite.singleRowTransactions(bench: bench, rows: rows)
        bench.record(Figure(section: "sqlite", name: "raw insert, one row per transaction", unit: "rows/s", value: single))
        let batched = try RawSQLite.batchedUpserts(bench: bench, rows: rows * 5)
        bench.record(Figure(section: "sqlite", name: "raw upsert-if-newer, one transaction", unit: "rows/s", value: batched))
    }
}
