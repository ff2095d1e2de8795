import Foundation
import GSPCore
import GSPClient

/// Applies an import plan to a replica: all of it, or (with `skipBad`) the good rows.
public enum Importer {
    public struct Result: Sendable {
        public var summary: ImportSummary
        public var rows: Int
        public var skipped: [ImportError]
    }

    /// Refuses the whole plan when any row is bad, unless `skipBad`; writes in one transaction.
    /// `progress` gets (fields done, fields in all) as the write goes on.
    public static func apply(_ plan: ImportPlan, to replica: Replica, skipBad: Bool,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        if !plan.problems.isEmpty && !skipBad {
            throw ImportRefused(problems: plan.problems)
        }
        let writes = plan.records.flatMap { record in
            record.writes.map { StampedWrite(FieldWrite(record.table, record.row, $0.field, $0.value), milliseconds: $0.milliseconds) }
        }
        return Result(summary: try replica.importStamped(writes, progress: progress), rows: plan.records.count, skipped: plan.problems)
    }

    /// "8800 deals and 85 accounts": what a plan holds, by table.
    public static func describe(_ plan: ImportPlan) -> String {
        let counts = Dictionary(grouping: plan.records, by: \.table).mapValues(\.count)
        let names: [Schema.Table: (String, String)] = [.deals: ("deal", "deals"), .kpis: ("KPI", "KPIs"), .time_entries: ("time entry", "time entries"),
                                                       .activities: ("activity", "activities"), .accounts: ("account", "accounts")]
        let parts = Schema.Table.allCases.compactMap { t in counts[t].map { "\($0) \($0 == 1 ? names[t]!.0 : names[t]!.1)" } }
        switch parts.count {
        case 0: return "no rows"
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        }
    }

    /// Picks the reader for a file: a mapping file when given, the GSP export layout when
    /// the header says so, the CRM preset for `sales_pipeline.csv`.
    public static func plan(file: URL, mapping: URL?, preset: String?) throws(ImportError) -> ImportPlan {
        if let mapping { return try MappingFile.load(mapping).plan(try CSVTable(contentsOf: file)) }
        if preset == CRMOpportunities.source || (preset == nil && file.lastPathComponent == "sales_pipeline.csv") {
            return try CRMOpportunities.plan(pipeline: file)
        }
        if let preset, preset != CRMOpportunities.source {
            throw ImportError(file: file.lastPathComponent, line: 0, reason: "unknown preset '\(preset)': the built-in preset is \(CRMOpportunities.source)")
        }
        let table = try CSVTable(contentsOf: file)
        if table.header.first == NativeCSV.tableColumn { return try NativeCSV.plan(table) }
        throw ImportError(file: file.lastPathComponent, line: 1, reason: "cannot tell the layout of this file: pass --mapping FILE (see docs/import.md), or --preset \(CRMOpportunities.source)")
    }
}

/// A run with bad rows imports nothing; the message lists them and what to do.
public struct ImportRefused: Error, CustomStringConvertible {
    public let problems: [ImportError]
    public var description: String {
        let shown = problems.prefix(20).map { "  \($0)" }.joined(separator: "\n")
        let more = problems.count > 20 ? "\n  ... and \(problems.count - 20) more" : ""
        return "\(problems.count) bad row(s); nothing was imported:\n\(shown)\(more)\nfix them, or pass --skip-bad to import the good rows and list the skipped ones"
    }
}
