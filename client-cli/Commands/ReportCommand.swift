import Foundation
import GSPCore
import GSPClient
import GSPPipeline

struct ReportCommand: Command {
    static let spec = CommandSpec(
        name: "report", summary: "a managers' pipeline report, from the server or (--local) this replica",
        arguments: [ArgumentSpec(name: "NAME", help: ReportName.allCases.map(\.rawValue).joined(separator: ", "))],
        options: [
            .value("as-of", "DATE", "the pipeline as it stood at the end of DATE (YYYY-MM-DD)"),
            .value("group-by", "FIELD", "pipeline and forecast broken down by owner, region or manager"),
            .value("stalled-days", "N", "aging: an open deal with no change for N days is stalled (default 30)"),
            .value("probabilities", "LIST", "pipeline and forecast: stage probabilities in percent, such as 'poc=15,kpi=25'"),
            .flag("local", "compute over this replica's data instead of asking the server"),
            .json, .flag("csv", "print CSV (RFC 4180; formula-like text neutralized)"),
        ],
        discussion: "The server's reports are for managers. --local works offline, over what this replica holds: the history of its own edits, only the winning values of rows it pulled, and no conflicts (those are recorded by the server).")

    let name: ReportName
    let query: [String: String]
    let options: ReportOptions
    let local: Bool
    let csv: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        do {
            name = try ReportName.parse(try arguments.positional(0))
            // An option this report would not apply is refused, not ignored.
            try name.check(ReportOption.allCases.filter { arguments.option(String($0.flag.dropFirst(2))) != nil }, spelling: .commandLine)
            var options = ReportOptions(), query: [String: String] = [:]
            if let d = arguments.option("as-of") { options.asOf = try Day.parse(d); query["as_of"] = d }
            if let g = arguments.option("group-by") { options.groupBy = try GroupBy.parse(g); query["group_by"] = g }
            if let p = arguments.option("probabilities") { options.probabilities = try StageProbabilities.parse(p); query["probabilities"] = p }
            if let n = try arguments.integer("stalled-days") {
                guard n > 0 else { throw UsageError("--stalled-days takes a positive number of days", command: "report") }
                options.stalledDays = Int(n)
                query["stalled_days"] = String(n)
            }
            self.options = options
            self.query = query
        } catch let error as DomainError {
            throw UsageError(error.message, command: "report")
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(error)", command: "report")
        }
        local = arguments.flag("local")
        csv = arguments.flag("csv")
    }

    func run(_ context: Context) throws {
        if csv && context.json { throw UsageError("choose one of --json and --csv", command: "report") }
        let replica = try context.openReplica()
        if local {
            if let refusal = name.replicaRefusal { throw UsageError(refusal, command: "report") }
            let table = try replica.report(name, options: options)
            // CSV ends every line in CRLF, the last one too: printed as it is, with no extra newline.
            context.printDocument(context.json ? table.json() : csv ? table.csv() : table.text(), forPeople: !context.json && !csv)
            return
        }
        let server: ServerEndpoint
        do { server = try replica.serverEndpoint() } catch let error as SyncError where error.code == .notLoggedIn {
            throw SyncError(.notLoggedIn, "\(error.message), or pass --local for this replica's data")
        }
        let format: ReportRequest.Format = context.json ? .json : csv ? .csv : .text
        let (name, query) = (name.rawValue, query)
        let body = try runBlocking { try await ReportRequest.fetch(server, name: name, query: query, format: format) }
        context.printDocument(body, forPeople: format == .text)
    }
}
