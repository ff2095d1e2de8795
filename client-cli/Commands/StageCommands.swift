import GSPClient
import GSPCore

/// Parses an optional `--date` option as YYYY-MM-DD.
func parseDay(_ text: String?) throws -> Day? {
    guard let text else { return nil }
    do { return try Day.parse(text) } catch { throw ReplicaError(.invalidValue, error.message) }
}

func parseMoney(_ text: String) throws -> Money {
    let money: Money
    do { money = try Money.parse(text) } catch { throw ReplicaError(.invalidValue, error.message) }
    guard money.minorUnits >= 0 else { throw ReplicaError(.invalidValue, "negative amount '\(text)': write the amount without a minus sign") }
    return money
}

let dealArgument = ArgumentSpec(name: "DEAL", help: "deal id or unique prefix")

struct KPIAdd: Command {
    static let spec = CommandSpec(
        name: "add", summary: "agree a KPI for a deal; prints the KPI id", arguments: [dealArgument],
        options: [.value("metric", "M", "what is measured", required: true), .value("unit", "U", "unit of the metric", required: true),
                  .value("target", "TARGET", "comparator and value, such as '>=30' or '<=2.5'", required: true),
                  .value("condition", "C", "measurement condition"), .value("agreed", "DATE", "agreement date (default: today)"), .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let deal = try replica.resolve(try arguments.positional(0), in: .deals)
        let id = try replica.addKPI(deal.lowercased, metric: try arguments.required("metric"),
                                    unit: try arguments.required("unit"), target: try arguments.required("target"),
                                    condition: arguments.option("condition"), agreed: try parseDay(arguments.option("agreed")))
        context.confirm("kpi.add", "agreed KPI \(id.short) (\(try arguments.required("metric")) \(try arguments.required("target"))) on deal \(deal.short)",
                        [("kpi", .string(id.lowercased)), ("deal", .string(deal.lowercased))], line: id.lowercased)
    }
}

struct KPIMeasure: Command {
    static let spec = CommandSpec(
        name: "measure", summary: "record the value measured for a KPI in the evaluation",
        arguments: [ArgumentSpec(name: "KPI", help: "KPI id or unique prefix"), ArgumentSpec(name: "VALUE", help: "the measured number")],
        options: [.json])

    let kpi: String, value: String
    init(_ arguments: ParsedArguments) throws(UsageError) {
        kpi = try arguments.positional(0)
        value = try arguments.positional(1)
    }

    func run(_ context: Context) throws {
        let measured = try context.openReplica().measureKPI(kpi, value: value)
        let result = measured.passed.map { $0 ? "pass" : "FAIL" } ?? "pending"
        context.confirm("kpi.measure", "\(measured.metric): \(value) against \(measured.comparator?.rawValue ?? "")\(measured.target.map(Format.number) ?? "") — \(result)",
                        [("kpi", .string(measured.id.lowercased)), ("measured", .value(measured.measured.map(Value.real) ?? .null)),
                         ("passed", measured.passed.map(JSON.bool) ?? .null)])
    }
}

struct PISSign: Command {
    static let spec = CommandSpec(
        name: "sign", summary: "sign the PIS contract: hourly rate and assigned engineer", arguments: [dealArgument],
        options: [.value("rate", "RATE", "hourly rate, such as '120 USD/h'", required: true),
                  .value("engineer", "E", "the assigned engineer", required: true), .value("date", "DATE", "signed date (default: today)"),
                  .flag("amend", "change the terms of a PIS contract already signed"), .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let reference = try arguments.positional(0)
        try replica.signPIS(reference, rate: try arguments.required("rate"), engineer: try arguments.required("engineer"),
                            date: try parseDay(arguments.option("date")), amend: arguments.flag("amend"))
        let deal = try replica.deal(reference)
        context.confirm("pis.sign", "PIS contract of deal \(deal.id.short) signed \(deal["pis_signed"].dateValue.map(String.init(describing:)) ?? ""): "
                        + "\(deal["pis_rate"].moneyValue.map(String.init(describing:)) ?? "")/h, engineer \(deal["pis_engineer"].textValue ?? "")",
                        [("deal", .string(deal.id.lowercased)), ("signed", .value(deal["pis_signed"])), ("rate", .value(deal["pis_rate"])),
                         ("engineer", .value(deal["pis_engineer"]))])
    }
}

struct TimeLog: Command {
    static let spec = CommandSpec(
        name: "log", summary: "log PIS engineering hours on a deal", arguments: [dealArgument],
        options: [.value("engineer", "E", "who worked", required: true), .value("hours", "H", "hours worked, such as 7.5 (positive)", required: true),
                  .value("date", "DATE", "day worked (default: today)"), .value("note", "N", "what was done"), .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let deal = try replica.resolve(try arguments.positional(0), in: .deals)
        let id = try replica.logTime(deal.lowercased, engineer: try arguments.required("engineer"),
                                     hours: try arguments.required("hours"), date: try parseDay(arguments.option("date")),
                                     note: arguments.option("note"))
        context.confirm("time.log", "logged \(try arguments.required("hours")) h by \(try arguments.required("engineer")) on deal \(deal.short) (time entry \(id.short))",
                        [("time_entry", .string(id.lowercased)), ("deal", .string(deal.lowercased))], line: id.lowercased)
    }
}

struct ContractSign: Command {
    static let spec = CommandSpec(
        name: "sign", summary: "sign the main contract (royalty or one-time charge); the deal is won", arguments: [dealArgument],
        options: [
            .flag("royalty", "a fee per unit, line or copy times a volume"), .flag("otc", "a one-time charge for a period"),
            .value("fee", "MONEY", "the royalty fee per unit, or the one-time charge", required: true),
            .value("per", "KIND", "royalty: unit, line or copy"), .value("volume", "N", "royalty: estimated volume"),
            .value("months", "N", "otc: period in months (default 12)"), .value("device", "D", "otc: the device covered"),
            .value("date", "DATE", "signed date (default: today)"),
            .value("override", "REASON", "sign even though the evaluation has not passed, recording why (managers)"),
            .flag("amend", "change the terms of a main contract already signed"), .json,
        ],
        discussion: "Either: --royalty --fee MONEY --per unit|line|copy --volume N\n    or: --otc --fee MONEY [--months 12] --device D")

    let arguments: ParsedArguments
    let royalty: Bool
    init(_ arguments: ParsedArguments) throws(UsageError) {
        self.arguments = arguments
        royalty = arguments.flag("royalty")
    }

    func validate() throws(UsageError) {
        let path = "contract sign"
        guard royalty != arguments.flag("otc") else { throw UsageError("give exactly one of --royalty and --otc", command: path) }
        if royalty {
            guard arguments.option("per") != nil, arguments.option("volume") != nil else { throw UsageError("--royalty needs --per and --volume", command: path) }
            guard arguments.option("device") == nil, arguments.option("months") == nil else { throw UsageError("--months and --device are for --otc", command: path) }
            guard Contract.RoyaltyUnit(rawValue: arguments.option("per")!) != nil else { throw UsageError("--per takes unit, line or copy", command: path) }
            _ = try arguments.integer("volume")
        } else {
            guard arguments.option("device") != nil else { throw UsageError("--otc needs --device", command: path) }
            guard arguments.option("per") == nil, arguments.option("volume") == nil else { throw UsageError("--per and --volume are for --royalty", command: path) }
            _ = try arguments.integer("months")
        }
    }

    func run(_ context: Context) throws {
        let fee = try parseMoney(try arguments.required("fee"))
        let terms: ContractTerms = royalty
            ? .royalty(fee: fee, per: Contract.RoyaltyUnit(rawValue: arguments.option("per")!)!, volume: try arguments.integer("volume")!)
            : .oneTimeCharge(fee: fee, months: try arguments.integer("months") ?? Contract.defaultMonths, device: arguments.option("device")!)
        let replica = try context.openReplica()
        let reference = try arguments.positional(0)
        try replica.signContract(reference, terms: terms, date: try parseDay(arguments.option("date")),
                                 override: arguments.option("override"), amend: arguments.flag("amend"))
        try context.noteUncheckedOverride(arguments.option("override"), replica)
        let deal = try replica.deal(reference)
        context.confirm("contract.sign", "main contract of deal \(deal.id.short) signed \(deal["contract_signed"].dateValue.map(String.init(describing:)) ?? "")"
                        + " (\(deal.contract?.modelName ?? ""), value \(deal.contract?.value.map(String.init(describing:)) ?? "?")): the deal is won",
                        [("deal", .string(deal.id.lowercased)), ("signed", .value(deal["contract_signed"])),
                         ("model", .value(deal["contract_model"])), ("value", .money(deal.contract?.value))])
    }
}

struct LaunchCommand: Command {
    static let spec = CommandSpec(
        name: "launch", summary: "record the customer's launch; the deal enters stage launch", arguments: [dealArgument],
        options: [.value("date", "DATE", "launch date", required: true), .value("product", "P", "launched product", required: true),
                  .value("market", "M", "launch market"), .value("override", "REASON", "launch even though a gate is not met, recording why (managers)"),
                  .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let reference = try arguments.positional(0), date = try parseDay(arguments.required("date"))!
        try replica.launch(reference, date: date, product: try arguments.required("product"), market: arguments.option("market"),
                           override: arguments.option("override"))
        try context.noteUncheckedOverride(arguments.option("override"), replica)
        let id = try replica.deal(reference).id
        context.confirm("launch", "deal \(id.short) launched \(date): \(try arguments.required("product"))",
                        [("deal", .string(id.lowercased)), ("date", .string(date.description)), ("product", .string(try arguments.required("product")))])
    }
}

struct ActivityAdd: Command {
    static let spec = CommandSpec(
        name: "add", summary: "record a visit, call or other activity on a deal; prints its id", arguments: [dealArgument],
        options: [.value("note", "N", "what happened", required: true), .value("kind", "K", "visit, call, mail, ... (default: visit)"),
                  .value("date", "DATE", "when (default: today)"), .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let deal = try replica.resolve(try arguments.positional(0), in: .deals)
        let kind = arguments.option("kind") ?? "visit"
        let id = try replica.addActivity(deal.lowercased, note: try arguments.required("note"), kind: kind, date: try parseDay(arguments.option("date")))
        context.confirm("activity.add", "recorded \(kind) \(id.short) on deal \(deal.short)",
                        [("activity", .string(id.lowercased)), ("deal", .string(deal.lowercased))], line: id.lowercased)
    }
}
