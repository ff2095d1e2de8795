import GSPClient
import GSPCore

struct DealShow: Command {
    static let spec = CommandSpec(
        name: "show", summary: "show a deal: fields, KPIs, time cards, fees, stage history",
        arguments: [ArgumentSpec(name: "DEAL", help: "deal id or unique prefix")], options: [.json])

    let deal: String
    init(_ arguments: ParsedArguments) throws(UsageError) { deal = try arguments.positional(0) }

    func run(_ context: Context) throws {
        let detail = try context.openReplica().dealDetail(deal)
        if context.json { context.printJSON(DealJSON.detail(detail)) } else { context.print(DealText.detail(detail)) }
    }
}

struct DealList: Command {
    static let spec = CommandSpec(
        name: "list", summary: "list deals, optionally filtered",
        options: [.value("stage", "STAGE", "only deals in this stage"), .value("owner", "USER", "only deals of this owner"),
                  .value("outcome", "OUTCOME", "open, won or lost"), .json])

    let arguments: ParsedArguments
    init(_ arguments: ParsedArguments) throws(UsageError) { self.arguments = arguments }

    func run(_ context: Context) throws {
        var filter = DealFilter(owner: arguments.option("owner"))
        do {
            filter.stage = try arguments.option("stage").map(Stage.parse)
            filter.outcome = try arguments.option("outcome").map(Outcome.parse)
        } catch { throw ReplicaError(.invalidValue, error.message) }
        let replica = try context.openReplica()
        let deals = try replica.listDeals(filter)
        if context.json {
            context.printJSON(.array(deals.map(DealJSON.summary)))
        } else if deals.isEmpty {
            // User names are exact; when only the case differs, say which owner was meant.
            if let owner = filter.owner {
                var anyOwner = filter
                anyOwner.owner = nil
                let owners = Set(try replica.listDeals(anyOwner).map(\.owner)).filter { $0.lowercased() == owner.lowercased() }
                if let meant = owners.sorted().first {
                    context.note("no deals match owner '\(owner)'; names are exact: did you mean --owner \(UserName.commandWord(meant))?")
                    return
                }
            }
            context.note("no deals match")
        } else {
            context.print(Format.table(["ID", "ACCOUNT", "TITLE", "STAGE", "OUTCOME", "OWNER", "VALUE"], deals.map {
                [$0.id.short, $0.account, $0.title, $0.stage.rawValue, $0.outcome.rawValue, $0.owner, $0["value"].moneyValue?.description ?? "-"]
            }))
        }
    }
}

/// The JSON shapes of deals (documented in docs/user-guide.md; keys are stable).
enum DealJSON {
    static func summary(_ deal: Deal) -> JSON {
        .object([
            ("id", .string(deal.id.lowercased)), ("title", .string(deal.title)), ("account", .string(deal.account)),
            ("owner", .string(deal.owner)), ("region", .string(deal.region)), ("stage", .string(deal.stage.rawValue)),
            ("outcome", .string(deal.outcome.rawValue)), ("value", .money(deal["value"].moneyValue)),
        ])
    }

    static func detail(_ d: DealDetail) -> JSON {
        guard case .object(var members) = summary(d.deal) else { return .null }
        members += [
            ("fields", .object(d.deal.fields.keys.sorted().map { ($0, .value(d.deal[$0])) })),
            ("kpis", .array(d.kpis.map { k in .object([
                ("id", .string(k.id.lowercased)), ("metric", .string(k.metric)), ("unit", .string(k.unit)),
                ("comparator", .optional(k.comparator?.rawValue)), ("target", k.target.map { .value(.real($0)) } ?? .null),
                ("condition", .optional(k.condition.isEmpty ? nil : k.condition)),
                ("agreed", .optional(k.agreed?.description)), ("measured", k.measured.map { .value(.real($0)) } ?? .null),
                ("passed", k.passed.map(JSON.bool) ?? .null),
            ]) })),
            ("time_entries", .array(d.timeEntries.map { t in .object([
                ("id", .string(t.id.lowercased)), ("engineer", .string(t.engineer)), ("date", .optional(t.date?.description)),
                ("minutes", .integer(t.minutes)),
            ]) })),
            ("activities", .array(d.activities.map { a in .object([
                ("id", .string(a.id.lowercased)), ("date", .optional(a.date?.description)), ("kind", .string(a.kind)), ("note", .string(a.note)),
            ]) })),
            ("total_minutes", .integer(d.totalMinutes)),
            ("pis_fee", .money(d.pisFee)),
            ("contract_model", .optional(d.deal.contract?.modelName)),
            ("contract_value", .money(d.contractValue)),
            ("evaluation", .string(d.evaluation.rawValue)),
            ("stages", .array(d.stages.map { s in .object([
                ("stage", .string(s.stage.rawValue)), ("entered_at", .time(s.hlc)), ("by", .optional(s.user)),
                ("node", .string(s.node.description)), ("override_reason", .optional(s.overrideReason)),
            ]) })),
        ]
        return .object(members)
    }
}

/// The text form of `deal show`.
enum DealText {
    static func detail(_ d: DealDetail) -> String {
        let deal = d.deal
        var lines = ["\(deal.title) — \(deal.account)", "id       \(deal.id.lowercased)",
                     "stage    \(deal.stage.rawValue) (\(deal.stage.number)/7 \(deal.stage.title))", "outcome  \(deal.outcome.rawValue)", "", "Fields:"]
        let shown = deal.fields.keys.sorted().map { ["  " + $0, deal[$0].description] }
        lines.append(Format.table(["  FIELD", "VALUE"], shown))
        if !d.kpis.isEmpty {
            lines += ["", "KPIs (evaluation: \(d.evaluation.rawValue)):"]
            lines.append(Format.table(["  ID", "METRIC", "TARGET", "MEASURED", "RESULT"], d.kpis.map { k in
                ["  " + k.id.short, k.metric + (k.unit.isEmpty ? "" : " (\(k.unit))"),
                 "\(k.comparator?.rawValue ?? "?")\(k.target.map(Format.number) ?? "?")" + (k.condition.isEmpty ? "" : " at \(k.condition)"),
                 k.measured.map(Format.number) ?? "-", k.passed.map { $0 ? "pass" : "FAIL" } ?? "pending"]
            }))
        }
        if !d.timeEntries.isEmpty {
            lines += ["", "Time cards (\(Format.hours(minutes: d.totalMinutes)) h):"]
            lines.append(Format.table(["  DATE", "ENGINEER", "HOURS"], d.timeEntries.map {
                ["  " + ($0.date?.description ?? "-"), $0.engineer, Format.hours(minutes: $0.minutes)]
            }))
        }
        if let fee = d.pisFee { lines.append("PIS fee: \(fee)") }
        if let contract = deal.contract, let value = d.contractValue { lines.append("Contract (\(contract.modelName)) value: \(value)") }
        if !d.activities.isEmpty {
            lines += ["", "Activities:"] + d.activities.map { "  \($0.date?.description ?? "-")  \($0.kind)  \($0.note)" }
        }
        if !d.stages.isEmpty {
            lines += ["", "Stage history:"] + d.stages.map { s in
                "  \(Format.time(s.hlc))  \(s.stage.rawValue)  by \(s.user ?? s.node.description)" + (s.overrideReason.map { "  (override: \($0))" } ?? "")
            }
        }
        return lines.joined(separator: "\n")
    }
}
