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

        // One build of the merged pipeline per run, then the pipeline report, then all the others.
        var pipelineTimes: [Double] = [], allTimes: [Double] = []
        var report: PipelineReport?
        var tables: [ReportTable] = []
        var liveDeals = 0
        for _ in 0..<heavy {
            let start = DispatchTime.now().uptimeNanoseconds
            let data = PipelineData(history: history)
            report = PipelineReport(data: data)
            let pipelineDone = DispatchTime.now().uptimeNanoseconds
            tables = ReportName.allCases.map { Reports.run($0, data: data) }
            let end = DispatchTime.now().uptimeNanoseconds
            pipelineTimes.append(Double(pipelineDone - start) / 1e9)
            allTimes.append(Double(end - start) / 1e9)
            liveDeals = data.deals.count
        }
        var ourCounts: [String: Int] = [:]
        for row in report!.rows where row.count > 0 { ourCounts[row.stage.rawValue] = row.count }
        try verify(ourCounts == sqlCounts, "pipeline counts by stage \(ourCounts) differ from SQLite's \(sqlCounts)")
        try verify(liveDeals == deals, "the pipeline holds \(liveDeals) live deals, not \(deals)")
        try verify(tables.count == ReportName.allCases.count && tables.allSatisfy { !$0.sections.isEmpty }, "a report is empty")
        bench.record(Figure(section: "reports", name: "pipeline by stage (merge the history + report)", unit: "s",
                            value: Bench.median(pipelineTimes),
                            reference: "SQLite winners + GROUP BY over the same history", referenceValue: sqlSeconds))
        bench.record(Figure(section: "reports", name: "all \(ReportName.allCases.count) reports (merge the history + reports)",
                            unit: "s", value: Bench.median(allTimes),
                            reference: "SQLite pipeline query (one report only)", referenceValue: sqlSeconds))
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
