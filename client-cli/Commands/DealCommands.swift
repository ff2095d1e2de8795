import GSPClient
import GSPCore

struct DealNew: Command {
    static let spec = CommandSpec(
        name: "new", summary: "create a deal in stage bau; prints its id",
        options: [
            .value("account", "NAME", "customer account", required: true), .value("title", "TEXT", "deal title", required: true),
            .value("device", "D", "customer device of interest"), .value("region", "R", "sales region"),
            .value("owner", "USER", "owning rep (default: you)"), .value("value", "MONEY", "expected value, such as '45000 USD'"),
            .json,
        ])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let value = try arguments.option("value").map(parseMoney)
        let id = try replica.createDeal(title: try arguments.required("title"), account: try arguments.required("account"),
                                        device: arguments.option("device"), region: arguments.option("region"),
                                        owner: arguments.option("owner"), value: value)
        let owner = try replica.deal(id.lowercased)["owner"].textValue ?? replica.user
        context.confirm("deal.new", "created deal \(id.short) in stage bau, owned by \(owner)",
                        [("deal", .string(id.lowercased)), ("owner", .string(owner))], line: id.lowercased)
    }
}

struct DealSet: Command {
    static let spec = CommandSpec(
        name: "set", summary: "set deal fields, each FIELD=VALUE typed by the schema",
        arguments: [ArgumentSpec(name: "DEAL", help: "deal id or unique prefix"),
                    ArgumentSpec(name: "FIELD=VALUE", help: "a field and its value; an empty value clears the field", repeating: true)],
        options: [.json],
        discussion: "Money as '45000 USD', dates as YYYY-MM-DD. All fields are set in one step, or none.\nFields: "
            + Schema.dealFields.map(\.name).joined(separator: ", ") + ".")

    let deal: String
    let assignments: [(field: String, text: String)]
    init(_ arguments: ParsedArguments) throws(UsageError) {
        deal = try arguments.positional(0)
        var parsed: [(field: String, text: String)] = []
        for token in arguments.positionals.dropFirst() {
            guard let eq = token.firstIndex(of: "="), eq != token.startIndex else {
                throw UsageError("'\(token)' is not FIELD=VALUE", command: "deal set")
            }
            parsed.append((String(token[..<eq]), String(token[token.index(after: eq)...])))
        }
        assignments = parsed
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let id = try replica.resolve(deal, in: .deals)
        try replica.setDealFields(id.lowercased, assignments)
        let after = try replica.deal(id.lowercased)
        // Each field once, in the order given (the last assignment of a field is the one kept).
        var names: [String] = []
        for (field, _) in assignments where !names.contains(field) { names.append(field) }
        let changes = names.map { after[$0].isNull ? "\($0) cleared" : "\($0) = \(after[$0].abbreviated(to: Format.longestCell))" }
        context.confirm("deal.set", "deal \(id.short): " + changes.joined(separator: ", "),
                        [("deal", .string(id.lowercased)), ("fields", .object(names.map { ($0, .value(after[$0])) }))])
    }
}

struct DealAdvance: Command {
    static let spec = CommandSpec(
        name: "advance", summary: "move a deal to a stage, checking the stage gates",
        arguments: [ArgumentSpec(name: "DEAL", help: "deal id or unique prefix"),
                    ArgumentSpec(name: "STAGE", help: "bau, poc, kpi, pis, evaluation, main_contract or launch")],
        options: [.value("override", "REASON", "move even though a gate is not met, recording why (managers)"), .json],
        discussion: """
        Gates: entering pis needs an agreed KPI; evaluation needs a signed PIS contract with an engineer;
        main_contract needs a passed evaluation; launch needs a signed main contract with its model's data.
        """)

    let deal: String, stage: String, reason: String?
    init(_ arguments: ParsedArguments) throws(UsageError) {
        deal = try arguments.positional(0)
        stage = try arguments.positional(1)
        reason = arguments.option("override")
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let moved = try replica.advance(deal, toStageNamed: stage, override: reason)
        try context.noteUncheckedOverride(reason, replica)
        context.confirm("deal.advance", "deal \(moved.id.short) is now in \(moved.stage.rawValue) (\(moved.stage.title))",
                        [("deal", .string(moved.id.lowercased)), ("stage", .string(moved.stage.rawValue)), ("override", .optional(reason))])
    }
}

struct DealLose: Command {
    static let spec = CommandSpec(
        name: "lose", summary: "mark a deal lost at its current stage",
        arguments: [ArgumentSpec(name: "DEAL", help: "deal id or unique prefix")],
        options: [.value("reason", "TEXT", "why the deal was lost", required: true),
                  .flag("reopen", "mark a won deal (main contract signed) lost anyway"), .json])

    let deal: String, reason: String, reopen: Bool
    init(_ arguments: ParsedArguments) throws(UsageError) {
        deal = try arguments.positional(0)
        reason = try arguments.required("reason")
        reopen = arguments.flag("reopen")
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        try replica.loseDeal(deal, reason: reason, reopen: reopen)
        let lost = try replica.deal(deal)
        context.confirm("deal.lose", "deal \(lost.id.short) is lost at stage \(lost.stage.rawValue)",
                        [("deal", .string(lost.id.lowercased)), ("lost_stage", .string(lost.stage.rawValue)), ("reason", .string(reason))])
    }
}

struct DealDelete: Command {
    static let spec = CommandSpec(
        name: "delete", summary: "delete a deal (the deletion syncs like any edit)",
        arguments: [ArgumentSpec(name: "DEAL", help: "deal id or unique prefix")], options: [.json])

    let deal: String
    init(_ arguments: ParsedArguments) throws(UsageError) { deal = try arguments.positional(0) }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let id = try replica.resolve(deal, in: .deals)
        try replica.deleteDeal(deal)
        context.confirm("deal.delete", "deal \(id.short) deleted; 'gsp sync' sends the deletion", [("deal", .string(id.lowercased))])
    }
}
