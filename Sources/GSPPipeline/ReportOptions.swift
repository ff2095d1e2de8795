import GSPCore

/// The reports, by the names the HTTP API (`GET /v1/reports/NAME`) and `gsp report NAME` use.
public enum ReportName: String, CaseIterable, Sendable {
    case pipeline, forecast, conversion, aging, pis, lost, anomalies, conflicts

    public static func parse(_ text: String) throws(DomainError) -> ReportName {
        if let name = ReportName(rawValue: text.lowercased()) { return name }
        throw DomainError("unknown report '\(text)': use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// The options this report reads; any other is refused (`check`), not ignored.
    public var options: [ReportOption] {
        switch self {
        case .pipeline, .forecast: [.asOf, .groupBy, .probabilities]
        case .aging: [.asOf, .stalledDays]
        case .conversion, .pis, .lost, .anomalies, .conflicts: [.asOf]
        }
    }

    /// Refuses an option given that this report would not apply, naming the reports that take it.
    public func check(_ given: some Sequence<ReportOption>, spelling: ReportOption.Spelling) throws(DomainError) {
        for option in given where !options.contains(option) {
            let takers = ReportName.allCases.filter { $0.options.contains(option) }.map(\.rawValue)
            let list = takers.count > 1 ? takers.dropLast().joined(separator: ", ") + " and " + takers.last! : takers.joined()
            throw DomainError("\(option.spelled(spelling)) works with the \(list) report\(takers.count > 1 ? "s" : "") (and the dashboard), not with \(rawValue)")
        }
    }
}

/// An option a report may take, spelled `--group-by` on the command line and `group_by` in a query.
public enum ReportOption: String, CaseIterable, Sendable {
    case asOf = "as_of", groupBy = "group_by", stalledDays = "stalled_days", probabilities

    public enum Spelling: Sendable { case commandLine, query }

    /// The query parameter (`group_by`).
    public var parameter: String { rawValue }
    /// The command-line option (`--group-by`).
    public var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }

    public func spelled(_ spelling: Spelling) -> String { spelling == .query ? parameter : flag }
}

/// The deal field the pipeline is broken down by.
public enum GroupBy: String, CaseIterable, Sendable {
    case owner, region, manager

    public static func parse(_ text: String) throws(DomainError) -> GroupBy {
        if let g = GroupBy(rawValue: text.lowercased()) { return g }
        throw DomainError("unknown grouping '\(text)': use owner, region or manager")
    }
}

/// The chance, in whole percent, that an open deal in a stage is won; won deals count 100%.
public struct StageProbabilities: Hashable, Sendable {
    public private(set) var percent: [Stage: Int]

    public static let standard = StageProbabilities(uncheckedPercent: [
        .businessAsUsual: 5, .proofOfConcept: 10, .keyAgreement: 20, .preInstallation: 35,
        .evaluation: 50, .mainContract: 90, .launch: 100,
    ])

    private init(uncheckedPercent: [Stage: Int]) { percent = uncheckedPercent }

    /// The standard probabilities with some stages changed; each must be 0...100.
    public init(overriding changes: [Stage: Int] = [:]) throws(DomainError) {
        var p = StageProbabilities.standard.percent
        for (stage, value) in changes {
            guard (0...100).contains(value) else {
                throw DomainError("probability \(value)% for stage \(stage.rawValue) is out of range: use a whole percent from 0 to 100")
            }
            p[stage] = value
        }
        percent = p
    }

    /// Parses "poc=15,kpi=25" (whole percent; stages not named keep their standard value).
    public static func parse(_ text: String) throws(DomainError) -> StageProbabilities {
        var changes: [Stage: Int] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")) else {
                throw DomainError("malformed probability '\(item)': write STAGE=PERCENT pairs, such as 'poc=15,kpi=25'")
            }
            changes[try Stage.parse(String(parts[0]))] = value
        }
        return try StageProbabilities(overriding: changes)
    }

    public subscript(_ stage: Stage) -> Int { percent[stage] ?? 0 }
}

/// What a caller may choose about a report.
public struct ReportOptions: Hashable, Sendable {
    /// Break the figures down by this deal field (the reports whose `options` hold it, and the
    /// dashboard; `ReportName.check` refuses it for the others).
    public var groupBy: GroupBy?
    public var probabilities: StageProbabilities
    /// An open deal with no change for this many days is stalled.
    public var stalledDays: Int
    /// Report as of the end of this day (UTC); nil for live. Applied when building the data:
    /// `PipelineData(history:options:)`.
    public var asOf: Day?

    public init(groupBy: GroupBy? = nil, probabilities: StageProbabilities = .standard,
                stalledDays: Int = 30, asOf: Day? = nil) {
        self.groupBy = groupBy
        self.probabilities = probabilities
        self.stalledDays = stalledDays
        self.asOf = asOf
    }
}

extension PipelineData {
    /// The data the options ask for: as of `options.asOf`, or live.
    public init(history: some Sequence<Change>, options: ReportOptions, now: Int64? = nil,
                users: [NodeID: String] = [:], conflicts: [ConflictRecord]? = nil) {
        self.init(history: history, asOf: options.asOf, now: now, users: users, conflicts: conflicts)
    }
}

/// The one entry point the server and the CLI dispatch through, so both compute alike.
public enum Reports {
    public static func run(_ name: ReportName, data: PipelineData, options: ReportOptions = ReportOptions()) -> ReportTable {
        switch name {
        case .pipeline: PipelineReport(data: data, groupBy: options.groupBy, probabilities: options.probabilities).table(asOf: data.asOf)
        case .forecast: ForecastReport(data: data, groupBy: options.groupBy, probabilities: options.probabilities).table(asOf: data.asOf)
        case .conversion: ConversionReport(data: data).table(asOf: data.asOf)
        case .aging: AgingReport(data: data, stalledDays: options.stalledDays).table(data: data)
        case .pis: PISReport(data: data).table(asOf: data.asOf)
        case .lost: LostReport(data: data).table(asOf: data.asOf)
        case .anomalies: AnomaliesReport(data: data).table(asOf: data.asOf)
        case .conflicts: ConflictsReport(data: data).table(data: data)
        }
    }
}

extension ReportName {
    /// Why a replica cannot give this report (`gsp report NAME --local`); nil when it can.
    /// Conflicts are recorded by the server as changes arrive: a replica, which pulls only
    /// the winning value of each field, never sees most of them.
    public var replicaRefusal: String? {
        self == .conflicts ? "conflicts are recorded by the server: run 'gsp report conflicts' without --local" : nil
    }

    /// Whether the report reads the change history (steps and their dates), not only the
    /// current values: a replica holds the history of its own edits, but of rows it pulled
    /// only the winning values.
    public func readsHistory(_ options: ReportOptions) -> Bool {
        options.asOf != nil || [.conversion, .aging, .anomalies].contains(self)
    }

    /// The notes a report computed on a replica carries, saying what it covers.
    public func replicaNotes(_ options: ReportOptions) -> [String] {
        var notes = ["Computed on this replica (--local), over what it holds; the server's report covers every change it accepted."]
        if readsHistory(options) {
            notes.append("This report reads the change history, and a replica holds only the winning values of the rows it pulled (not the steps before them): stage steps, times in stage and as-of dates cover only the history this replica holds. Run it without --local for the full history.")
        }
        return notes
    }
}
