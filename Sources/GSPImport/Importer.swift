import Foundation
import GSPCore
import GSPClient

/// Applies an import plan to a replica: all of it, or (with `skipBad`) the good rows.
public enum Importer {
    public struct Result: Sendable {
        public var summary: ImportSummary
        public var rows: Int
        public var skipped: [ImportError]
        /// The plan's notes, and what the apply filled in (owners), for the summary.
        public var notes: [String]
    }

    /// Refuses the whole plan when any row is bad, unless `skipBad`; writes in one transaction.
    /// A deal without an owner gets the replica's user (a rep's sync refuses ownerless deals),
    /// from its first source date. For a rep, a row naming another owner is a bad row (the
    /// server would refuse it), with what to do. `progress` gets (fields done, fields in all) as the write goes on.
    public static func apply(_ plan: ImportPlan, to replica: Replica, skipBad: Bool,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        var plan = plan
        var ownerless = 0
        for i in plan.records.indices where plan.records[i].table == .deals {
            let timed = plan.records[i].writes
            if !timed.contains(where: { $0.field == "owner" }), let first = timed.min(by: { $0.milliseconds < $1.milliseconds }) {
                plan.records[i].writes.append(TimedWrite("owner", .text(replica.user), day: first.day, order: first.order))
                ownerless += 1
            }
        }
        keepCarriableRecords(&plan)
        try keepWritableRecords(&plan, replica: replica)
        if !plan.problems.isEmpty && !skipBad {
            throw ImportRefused(problems: plan.problems)
        }
        var notes = plan.notes
        let writes = plan.records.flatMap { record in
            record.writes.map { StampedWrite(FieldWrite(record.table, record.row, $0.field, $0.value), milliseconds: $0.milliseconds) }
        }
        if ownerless > 0 { notes.append("\(ownerless) deal(s) have no owner in the source: owned by you (\(replica.user)); reassign with 'gsp deal set DEAL owner=NAME'") }
        return Result(summary: try replica.importStamped(writes, progress: progress), rows: plan.records.count, skipped: plan.problems, notes: notes)
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

    /// Picks the reader for a file: a mapping file when given, else the layout its header
    /// shows (GSP's export, or the CRM preset's pipeline columns, whatever the file is called).
    /// `delimiter` nil: the mapping's, else detected from the header line.
    public static func plan(file: URL, mapping: URL?, preset: String?, delimiter: UInt8? = nil) throws(ImportError) -> ImportPlan {
        if let preset, preset != CRMOpportunities.source {
            throw ImportError(file: file.path, line: 0, reason: "unknown preset '\(preset)': the built-in preset is \(CRMOpportunities.source); for other layouts pass --mapping FILE")
        }
        if let mapping {
            let m = try MappingFile.load(mapping)
            return try m.plan(try CSVTable(contentsOf: file, delimiter: delimiter ?? m.delimiterByte))
        }
        let table = try CSVTable(contentsOf: file, delimiter: delimiter)
        if preset != nil || CRMOpportunities.matches(table) {
            return try CRMOpportunities.plan(pipeline: table, folder: file.deletingLastPathComponent())
        }
        if table.header.first == NativeCSV.tableColumn { return try NativeCSV.plan(table) }
        throw ImportError(file: file.path, line: 1, reason: "cannot tell the layout of this file (its header is neither a 'gsp export csv' header nor the \(CRMOpportunities.source) columns): pass --mapping FILE (see docs/import.md)")
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
