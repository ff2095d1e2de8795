import Foundation
import GSPCore
import GSPImport
import GSPPipeline
import GSPStore

/// Managers' reports over a large pipeline's whole change history (100,000 demo deals with
/// their KPIs and time cards), next to SQLite answering the same question from the same history.
enum BenchReports {
    static func run(_ bench: Bench) throws {
        let deals = bench.quick ? 2_000 : 100_000
        let history = demoHistory(deals: deals)
        bench.section("reports over \(deals) deals (\(history.count) changes of history)")

        // Reference: SQLite holds the same history, indexed; one query finds each deal's winning
        // stage/outcome/deleted and counts open and won deals by stage.
        let db = try RawSQLite.scratch()
        try db.execute("CREATE TABLE h (tbl TEXT, row BLOB, field TEXT, value, hlc INTEGER, node BLOB)")
        let insert = try db.prepare("INSERT INTO h VALUES ('deals', ?, ?, ?, ?, ?)")
        try db.transaction {
            for c in history where c.table == "deals" && ["stage", "outcome", "deleted"].contains(c.field) {
                let v: SQLValue = switch c.value {
                case .text(let t): .text(t)
                case .bool(let b): .integer(b ? 1 : 0)
                default: .null
                }
                try insert.run([.blob(c.row.bytes), .text(c.field), v, .integer(Int64(bitPattern: c.hlc.rawValue)), .blob(c.node.bytes)])
            }
        }
        try db.execute("CREATE INDEX h_winner ON h (row, field, hlc DESC, node DESC)")
        let query = """
            WITH w AS (SELECT row,
              (SELECT value FROM h x WHERE x.row = d.row AND x.field = 'stage' ORDER BY hlc DESC, node DESC LIMIT 1) AS stage,
              (SELECT value FROM h x WHERE x.row = d.row AND x.field = 'outcome' ORDER BY hlc DESC, node DESC LIMIT 1) AS outcome,
              (SELECT value FROM h x WHERE x.row = d.row AND x.field = 'deleted' ORDER BY hlc DESC, node DESC LIMIT 1) AS deleted
              FROM (SELECT DISTINCT row FROM h) d)
            SELECT COALESCE(stage, 'bau'), count(*) FROM w
            WHERE COALESCE(outcome, 'open') != 'lost' AND COALESCE(deleted, 0) = 0 GROUP BY 1
            """
        var sqlCounts: [String: Int] = [:]
        let heavy = bench.quick ? 1 : 3
        let sqlSeconds = try bench.median(runs: heavy) {
            sqlCounts = Dictionary(uniqueKeysWithValues: try db.query(query) { ($0.text(0), Int($0.integer(1))) })
        }

        var report: PipelineReport?
        let pipelineSeconds = bench.median(runs: heavy) {
            report = PipelineReport(data: PipelineData(history: history))
        }
        var ourCounts: [String: Int] = [:]
        for row in report!.rows where row.count > 0 { ourCounts[row.stage.rawValue] = row.count }
        try verify(ourCounts == sqlCounts, "pipeline counts by stage \(ourCounts) differ from SQLite's \(sqlCounts)")
        try verify(ourCounts.values.reduce(0, +) > deals / 2, "too few open and won deals: \(ourCounts)")
        bench.record(Figure(section: "reports", name: "pipeline by stage from the history", unit: "s", value: pipelineSeconds,
                            reference: "SQLite winners + GROUP BY over the same history", referenceValue: sqlSeconds))

        // Every report, against the bare merge of the same history (the least any report must do).
        var tables: [ReportTable] = []
        let allSeconds = bench.median(runs: heavy) {
            let data = PipelineData(history: history)
            tables = ReportName.allCases.map { Reports.run($0, data: data) }
        }
        var merged = MergedState()
        let mergeSeconds = bench.median(runs: heavy) {
            merged = MergedState()
            merged.apply(history)
        }
        let liveDeals = Set(merged.winners.keys.filter { $0.table == "deals" }.map(\.row))
            .filter { merged.value(FieldKey(table: "deals", row: $0, field: "deleted"))?.boolValue != true }
        try verify(tables.count == ReportName.allCases.count && tables.allSatisfy { !$0.sections.isEmpty }, "a report is empty")
        try verify(liveDeals.count == deals, "the merge holds \(liveDeals.count) live deals, not \(deals)")
        bench.record(Figure(section: "reports", name: "all \(ReportName.allCases.count) reports from the history", unit: "s",
                            value: allSeconds, reference: "MergedState of the same history", referenceValue: mergeSeconds))
    }

    /// The demo generator's deals as changes, each rep writing from its own node.
    static func demoHistory(deals: Int) -> [Change] {
        let reps = (0..<40).map { "rep\($0)" }
        let nodes = Dictionary(uniqueKeysWithValues: reps.enumerated().map { i, rep in
            (rep, NodeID(bytes: [UInt8](repeating: UInt8(i + 1), count: 16)))
        })
        let plan = DemoGenerator(seed: 7, deals: deals, reps: reps).plan()
        var out: [Change] = []
        var node = nodes["rep0"]!
        for record in plan.records {
            if record.table == .deals, let owner = record.finalValues["owner"]?.textValue { node = nodes[owner] ?? node }
            for w in record.writes {
                out.append(Change(table: record.table.rawValue, row: record.row, field: w.field, value: w.value,
                                  hlc: HLC(milliseconds: w.milliseconds), node: node))
            }
        }
        return out
    }
}
