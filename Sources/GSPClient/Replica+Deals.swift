import GSPCore

extension Replica {
    /// Fields `deal set` may not write: each has its own command, which checks the rules.
    static let fieldsWithOwnCommand: [String: String] = [
        "stage": "use 'gsp deal advance DEAL STAGE', which checks the stage gates",
        "stage_override": "use 'gsp deal advance DEAL STAGE --override REASON'",
        "deleted": "use 'gsp deal delete DEAL'",
    ]

    /// Creates a deal in stage `bau`, outcome `open`; returns its id.
    @discardableResult
    public func createDeal(title: String, account: String, device: String? = nil, region: String? = nil,
                           owner: String? = nil, value: Money? = nil) throws -> RowID {
        let title = title.trimmingCharacters(in: .whitespaces), account = account.trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty else { throw ReplicaError(.invalidValue, "the deal title is empty: pass --title TEXT") }
        guard !account.isEmpty else { throw ReplicaError(.invalidValue, "the account is empty: pass --account NAME") }
        if let owner {
            do { try UserName.validate(owner) } catch { throw ReplicaError.invalid(error) }
        }
        let id = RowID()
        var writes: [FieldWrite] = [
            FieldWrite(.deals, id, "title", .text(title)), FieldWrite(.deals, id, "account", .text(account)),
            FieldWrite(.deals, id, "owner", .text(user)),
            FieldWrite(.deals, id, "stage", .text(Stage.businessAsUsual.rawValue)),
            FieldWrite(.deals, id, "outcome", .text(Outcome.open.rawValue)),
        ]
        if let device { writes.append(FieldWrite(.deals, id, "device", .text(device))) }
        if let region { writes.append(FieldWrite(.deals, id, "region", .text(region))) }
        if let value { writes.append(FieldWrite(.deals, id, "value", .money(value))) }
        try transaction {
            try recordLocal(writes)
            // A deal for someone else is created as ours, then handed over in a second edit:
            // a server lets a rep create only their own deals, and a reassignment is allowed.
            if let owner, owner != user { try recordLocal([FieldWrite(.deals, id, "owner", .text(owner))]) }
        }
        return id
    }

    /// Sets deal fields from `FIELD=VALUE` text, each parsed into its field's kind; all or nothing.
    public func setDealFields(_ reference: String, _ assignments: [(field: String, text: String)]) throws {
        guard !assignments.isEmpty else { throw ReplicaError(.invalidValue, "nothing to set: pass FIELD=VALUE") }
        var values: [(String, Value)] = []
        for (name, text) in assignments {
            let field = try FieldParser.field(name, in: .deals)
            values.append((name, try FieldParser.parse(text, for: field)))
        }
        try setDealFields(reference, values)
    }

    /// Fields every deal has: `deal set` may change them but not clear them.
    static let requiredDealFields: [String: String] = ["title": "TEXT", "account": "NAME", "owner": "USER"]

    /// Sets typed deal fields; all or nothing.
    public func setDealFields(_ reference: String, _ values: [(String, Value)]) throws {
        for (name, value) in values {
            if let hint = Replica.fieldsWithOwnCommand[name] { throw ReplicaError(.readOnlyField, "\(name) cannot be set directly: \(hint)") }
            if let placeholder = Replica.requiredDealFields[name], (value.textValue ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ReplicaError(.invalidValue, "\(name) cannot be empty: write \(name)=\(placeholder)")
            }
            if name == "owner", let owner = value.textValue {
                do { try UserName.validate(owner) } catch { throw ReplicaError.invalid(error) }
            }
            try FieldParser.check(value, for: try FieldParser.field(name, in: .deals))
        }
        try transaction {
            let deal = try loadDeal(try resolve(reference, in: .deals))
            try checkClosedDealEdit(deal, values)
            try recordLocal(values.map { FieldWrite(.deals, deal.id, $0.0, $0.1) })
        }
    }

    /// Moves a deal to `stage`. Forward moves must pass every gate on the way, unless
    /// `override` gives a reason, which is recorded in `stage_override`.
    @discardableResult
    public func advance(_ reference: String, to stage: Stage, override reason: String? = nil) throws -> Deal {
        let reason = reason?.trimmingCharacters(in: .whitespaces)
        if let reason, reason.isEmpty { throw ReplicaError(.invalidValue, "the override reason is empty: say why the gate is overridden") }
        return try transaction {
            let deal = try loadDeal(try resolve(reference, in: .deals))
            guard deal.outcome != .lost else {
                throw ReplicaError(.invalidState, "deal \(deal.id.short) is lost: reopen it first with 'gsp deal set \(deal.id.short) outcome=open'")
            }
            guard deal.stage != stage else { throw ReplicaError(.invalidState, "deal \(deal.id.short) is already in stage \(stage.rawValue)") }
            // A won deal back before its contract would count as won at that stage in every report.
            if deal.outcome == .won, stage < .mainContract, reason == nil {
                throw ReplicaError(.invalidState, "deal \(deal.id.short) is won (main contract signed): it cannot go back to \(stage.rawValue), "
                                   + "before its main contract; a manager may pass --override REASON, or mark it lost with "
                                   + "'gsp deal lose \(deal.id.short) --reason TEXT --reopen'")
            }
            var writes = try gateWrites(deal, entering: stage, override: reason)
            writes.append(FieldWrite(.deals, deal.id, "stage", .text(stage.rawValue)))
            try recordLocal(writes)
            return try loadDeal(deal.id)
        }
    }

    /// Moves a deal to the stage named by `stage` (a stage id such as "pis").
    @discardableResult
    public func advance(_ reference: String, toStageNamed stage: String, override reason: String? = nil) throws -> Deal {
        let target: Stage
        do { target = try Stage.parse(stage) } catch { throw ReplicaError.invalid(error) }
        return try advance(reference, to: target, override: reason)
    }

    /// Checks the gates between the deal's stage and `stage`: an error naming what is
    /// missing, or the override write when a reason is given.
    ///
    /// A replica logged in as a rep refuses an override (the server would refuse it too);
    /// with no known role (never logged in) the override is recorded and the server decides.
    func gateWrites(_ deal: Deal, entering stage: Stage, override reason: String?) throws -> [FieldWrite] {
        let missing = StageGate.missing(for: deal, entering: stage, kpis: try kpis(of: deal.id))
        let list = missing.map { "  - \($0)" }.joined(separator: "\n")
        if let reason {
            guard try role() != "rep" else {
                throw ReplicaError(.gateBlocked, "only a manager may override a gate; ask your manager or complete:\n"
                                   + (missing.isEmpty ? "  (nothing: every gate to \(stage.rawValue) is met, drop --override)" : list))
            }
            return [FieldWrite(.deals, deal.id, "stage_override", .text(reason))]
        }
        guard missing.isEmpty else {
            throw ReplicaError(.gateBlocked, "deal \(deal.id.short) cannot enter \(stage.rawValue):\n\(list)\n(a manager may pass --override REASON)")
        }
        return []
    }

    /// Marks a deal lost at its current stage. A won deal (main contract signed) is lost
    /// only with `reopen`, so a slip cannot undo a signed contract.
    public func loseDeal(_ reference: String, reason: String, reopen: Bool = false) throws {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw ReplicaError(.invalidValue, "the reason is empty: pass --reason TEXT") }
        try transaction {
            let deal = try loadDeal(try resolve(reference, in: .deals))
            guard deal.outcome != .lost else { throw ReplicaError(.invalidState, "deal \(deal.id.short) is already lost") }
            guard deal.outcome != .won || reopen else {
                throw ReplicaError(.invalidState, "deal \(deal.id.short) is won (main contract signed): pass --reopen to mark it lost anyway")
            }
            try recordLocal([
                FieldWrite(.deals, deal.id, "outcome", .text(Outcome.lost.rawValue)),
                FieldWrite(.deals, deal.id, "lost_reason", .text(reason)),
                FieldWrite(.deals, deal.id, "lost_stage", .text(deal.stage.rawValue)),
            ])
        }
    }

    /// Deletes a deal (a `deleted = true` field, which syncs like any other).
    public func deleteDeal(_ reference: String) throws {
        try transaction {
            let id = try resolve(reference, in: .deals)
            try recordLocal([FieldWrite(.deals, id, "deleted", .bool(true))])
        }
    }
}

extension RowID {
    /// The first 8 characters: what people type and read.
    public var short: String { String(lowercased.prefix(8)) }
}
