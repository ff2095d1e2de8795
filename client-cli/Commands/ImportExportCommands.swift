import Foundation
import GSPCore
import GSPClient
import GSPImport

struct ImportCSV: Command {
    static let spec = CommandSpec(
        name: "csv", summary: "import deals from a CSV file (re-importing the same file changes nothing)",
        arguments: [ArgumentSpec(name: "FILE", help: "the CSV file (the CRM sample's pipeline file, a 'gsp export csv' file, or any export with --mapping)")],
        options: [
            .value("mapping", "FILE", "a JSON mapping of the export's columns onto GSP fields (see docs/import.md)"),
            .value("preset", "NAME", "a built-in layout: crm-opportunities (chosen by itself when the header has its columns)"),
            .value("delimiter", "CHAR", "comma, semicolon or tab (default: detected from the header line)"),
            .flag("skip-bad", "import the good rows and list the bad ones (without it, one bad row imports nothing)"),
            .json,
        ],
        discussion: "The source's dates become the deals' history. Run 'gsp sync' afterwards to send the import to the server.")

    let file: String
    let mapping: String?
    let preset: String?
    let delimiter: UInt8?
    let skipBad: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = try arguments.positional(0)
        mapping = arguments.option("mapping")
        preset = arguments.option("preset")
        skipBad = arguments.flag("skip-bad")
        if let name = arguments.option("delimiter") {
            guard let byte = CSV.delimiter(named: name) else {
                throw UsageError("--delimiter takes comma, semicolon or tab, not '\(name)'", command: "import csv")
            }
            delimiter = byte
        } else {
            delimiter = nil
        }
    }

    func validate() throws(UsageError) {
        if mapping != nil && preset != nil { throw UsageError("choose one of --mapping and --preset", command: "import csv") }
        if let preset, preset != CRMOpportunities.source {
            throw UsageError("unknown preset '\(preset)': the built-in preset is \(CRMOpportunities.source)", command: "import csv")
        }
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        if context.stderrIsTerminal { context.note("reading \(file) ...") }
        let plan = try Importer.plan(file: URL(fileURLWithPath: file), mapping: mapping.map { URL(fileURLWithPath: $0) }, preset: preset, delimiter: delimiter)
        if context.stderrIsTerminal { context.note("writing \(plan.records.count) row(s) into \(replica.path) ...") }
        let result = try Importer.apply(plan, to: replica, skipBad: skipBad, progress: context.importProgress)
        let what = Importer.describe(plan)
        var line = "imported \(what) from \(file): \(result.summary.rowsChanged) row(s) changed, \(result.summary.changesWritten) field change(s) pending for the server"
        if result.summary.changesWritten == 0 { line = "imported \(what) from \(file): nothing changed (already up to date)" }
        if !result.skipped.isEmpty { line += "; \(result.skipped.count) bad row(s) skipped" }
        if !context.json {
            for problem in result.skipped { context.note("skipped \(problem)") }
            for note in result.notes { context.note("note: \(note)") }
        }
        context.confirm("import.csv", line, [
            ("rows", .integer(result.rows)), ("rows_changed", .integer(result.summary.rowsChanged)),
            ("changes_written", .integer(result.summary.changesWritten)), ("fields_unchanged", .integer(result.summary.fieldsUnchanged)),
            ("notes", .array(result.notes.map { .string($0) })),
            ("skipped", .array(result.skipped.map { .object([("file", .string($0.file)), ("line", .integer($0.line)), ("reason", .string($0.reason))]) })),
        ])
    }
}

struct ExportCSV: Command {
    static let spec = CommandSpec(
        name: "csv", summary: "write every row of a table as CSV",
        options: [
            .value("table", "TABLE", "deals (default), kpis, time_entries, activities or accounts"),
            .value("out", "FILE", "write to FILE instead of standard output (then a line, or with --json an object, says what was written)"),
            .json,
        ],
        discussion: "Deleted rows are included (deleted=true), so an import elsewhere reproduces every field; the last column,\ngsp_history, holds each row's timeline, so it also keeps when each value was set (stage entries, times in stage).")

    let table: Schema.Table
    let out: String?
    let json: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        json = arguments.flag("json")
        let name = arguments.option("table") ?? "deals"
        guard let table = Schema.Table(rawValue: name) else {
            throw UsageError("unknown table '\(name)': use \(Schema.Table.allCases.map(\.rawValue).joined(separator: ", "))", command: "export csv")
        }
        self.table = table
        out = arguments.option("out")
    }

    func validate() throws(UsageError) {
        if json && out == nil { throw UsageError("--json describes the file written with --out: pass --out FILE (the CSV itself is the output otherwise)", command: "export csv") }
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let csv = NativeCSV.export(table, rows: try replica.rows(of: table.rawValue), timelines: try replica.fieldTimelines(of: table.rawValue))
        if let out {
            // Atomic: a failed write (a full disk) leaves no half-written file, and any old file as it was.
            do { try Data(csv.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw ReplicaError(.invalidState, "cannot write \(out) (\(Context.describe(error))): nothing was written; check the folder exists and has space, or write elsewhere")
            }
            let rows = try replica.rows(of: table.rawValue).count
            context.confirm("export.csv", "exported \(rows) row(s) of table \(table.rawValue) to \(out)",
                            [("table", .string(table.rawValue)), ("rows", .integer(rows)), ("file", .string(out))])
        } else {
            context.printRaw(csv)
        }
    }
}

struct ImportGenerated: Command {
    static let spec = CommandSpec(
        name: "generate", summary: "import a seeded, realistic set of GSP deals (demos and benchmarks)",
        options: [
            .value("deals", "N", "how many deals (default 300)"),
            .value("seed", "N", "the seed: the same seed gives the same deals (default 42)"),
            .value("reps", "NAMES", "comma-separated owners (default ana,bo,chen; for a rep, only themselves)"),
            .json,
        ],
        discussion: "Every stage, KPIs with measurements, PIS time cards, both contract models and lost deals, over the last 14 months.\nOn a rep's replica (logged in as a rep) every deal is the rep's own: the server refuses a rep's changes to others' deals.")

    let generator: DemoGenerator
    /// --reps was given (else a rep's deals are all their own).
    let repsGiven: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        var generator = DemoGenerator()
        repsGiven = arguments.option("reps") != nil
        if let n = try arguments.integer("deals") {
            guard n > 0, n <= 1_000_000 else { throw UsageError("--deals takes 1 to 1000000", command: "import generate") }
            generator.deals = Int(n)
        }
        if let seed = arguments.option("seed") {
            guard let s = UInt64(seed) else { throw UsageError("--seed takes a whole number, not '\(seed)'", command: "import generate") }
            generator.seed = s
        }
        if let reps = arguments.option("reps") {
            generator.reps = reps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if generator.reps.isEmpty { throw UsageError("--reps needs at least one name", command: "import generate") }
        }
        self.generator = generator
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        var generator = generator
        // A rep may write only their own deals: generate those, or refuse others' before anything is written.
        switch try replica.role() {
        case "rep":
            if !repsGiven { generator.reps = [replica.user] }
            let others = Set(generator.reps).subtracting([replica.user]).sorted()
            guard others.isEmpty else {
                throw ReplicaError(.outOfScope, "you are a rep (\(replica.user)): deals owned by \(others.joined(separator: ", ")) would be refused by the server "
                                   + "at sync, so nothing was generated. Drop --reps to generate deals of your own, or ask a manager to generate the team's")
            }
        case nil where Set(generator.reps) != [replica.user]:
            context.note("note: this replica has not logged in, so gsp cannot tell whether you are a rep: a rep's sync would refuse the deals "
                         + "owned by \(generator.reps.filter { $0 != replica.user }.joined(separator: ", ")); log in first, or pass --reps \(replica.user)")
        default:
            break
        }
        // Timelines run up to about 14 months: start far enough back that they end before today.
        generator.start = replica.today.adding(days: -420)
        let result = try Importer.apply(generator.plan(), to: replica, skipBad: false, progress: context.importProgress)
        context.confirm("import.generate", "generated \(generator.deals) deal(s) (seed \(generator.seed)) owned by \(generator.reps.joined(separator: ", ")): "
                        + "\(result.rows) row(s), \(result.summary.changesWritten) field change(s) pending for the server",
                        [("deals", .integer(generator.deals)), ("seed", .string(String(generator.seed))),
                         ("owners", .array(generator.reps.map { .string($0) })),
                         ("rows", .integer(result.rows)), ("changes_written", .integer(result.summary.changesWritten))])
    }
}
