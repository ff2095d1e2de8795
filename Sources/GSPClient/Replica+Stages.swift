import GSPCore

/// The main contract's terms as the rep enters them.
public enum ContractTerms: Sendable {
    case royalty(fee: Money, per: Contract.RoyaltyUnit, volume: Int64)
    case oneTimeCharge(fee: Money, months: Int64 = Contract.defaultMonths, device: String)
}

extension Replica {
    /// Agrees a KPI for a deal (stage 3); returns the KPI's id.
    @discardableResult
    public func addKPI(_ dealReference: String, metric: String, unit: String, target: String,
                       condition: String? = nil, agreed: Day? = nil) throws -> RowID {
        let metric = metric.trimmingCharacters(in: .whitespaces)
        guard !metric.isEmpty else { throw ReplicaError(.invalidValue, "the KPI metric is empty: pass --metric NAME") }
        let (comparator, value): (KPI.Comparator, Double)
        do { (comparator, value) = try KPI.parseTarget(target) } catch { throw ReplicaError.invalid(error) }
        let id = RowID()
        try transaction {
            let deal = try resolve(dealReference, in: .deals)
            // A KPI agreed after the evaluation would turn a passed evaluation back to pending.
            let current = try loadDeal(deal)
            if current.stage > .evaluation || current.outcome == .won {
                throw ReplicaError(.invalidState, "deal \(deal.short) is past its evaluation (stage \(current.stage.rawValue), outcome "
                                   + "\(current.outcome.rawValue)): a KPI agreed now would make its evaluation pending again; "
                                   + "record the new requirement as an activity ('gsp activity add') or in the deal's next_step")
            }
            var writes = [
                FieldWrite(.kpis, id, "deal", .text(deal.lowercased)), FieldWrite(.kpis, id, "metric", .text(metric)),
                FieldWrite(.kpis, id, "unit", .text(unit)), FieldWrite(.kpis, id, "comparator", .text(comparator.rawValue)),
                FieldWrite(.kpis, id, "target", .real(value)), FieldWrite(.kpis, id, "agreed", .date(agreed ?? today)),
            ]
            if let condition { writes.append(FieldWrite(.kpis, id, "condition", .text(condition))) }
            try recordLocal(writes)
        }
        return id
    }

    /// Records the value measured for a KPI in the evaluation (stage 5); returns the KPI.
    @discardableResult
    public func measureKPI(_ kpiReference: String, value text: String) throws -> KPI {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ReplicaError(.invalidValue, "malformed measured value '\(text)': write a number such as 31.5")
        }
        return try transaction {
            let id = try resolve(kpiReference, in: .kpis)
            try recordLocal([FieldWrite(.kpis, id, "measured", .real(value))])
            return KPI(id: id, fields: try fields(of: Schema.Table.kpis.rawValue, row: id))
        }
    }

    /// Signs the PIS contract: hourly rate ("120 USD/h"), assigned engineer, signed date.
    /// A signed contract is changed only with `amend`.
    public func signPIS(_ dealReference: String, rate: String, engineer: String, date: Day? = nil, amend: Bool = false) throws {
        let engineer = engineer.trimmingCharacters(in: .whitespaces)
        guard !engineer.isEmpty else { throw ReplicaError(.invalidValue, "the engineer is empty: pass --engineer NAME") }
        let money = try Replica.parseRate(rate)
        try transaction {
            let deal = try resolve(dealReference, in: .deals)
            if !amend, let signed = try loadDeal(deal)["pis_signed"].dateValue {
                throw ReplicaError(.invalidState, "the PIS contract of deal \(deal.short) is already signed (\(signed)): pass --amend to change its terms")
            }
            try recordLocal([
                FieldWrite(.deals, deal, "pis_rate", .money(money)), FieldWrite(.deals, deal, "pis_engineer", .text(engineer)),
                FieldWrite(.deals, deal, "pis_signed", .date(date ?? today)),
            ])
        }
    }

    /// Parses an hourly rate: "120 USD/h", "120 USD per hour" or plain money.
    static func parseRate(_ text: String) throws(ReplicaError) -> Money {
        var s = text.trimmingCharacters(in: .whitespaces)
        for suffix in ["/hour", "/h", " per hour"] where s.lowercased().hasSuffix(suffix) {
            s = String(s.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        let money: Money
        do { money = try Money.parse(s) } catch {
            throw ReplicaError(.invalidValue, "malformed rate '\(text)': write an amount, a currency and /h, such as '120 USD/h' (\(error.message))")
        }
        guard money.minorUnits > 0 else { throw ReplicaError(.invalidValue, "the rate must be positive, not '\(text)'") }
        return money
    }

    /// Logs PIS time: hours (up to 2 decimals, positive) become whole minutes; returns the entry's id.
    @discardableResult
    public func logTime(_ dealReference: String, engineer: String, hours: String, date: Day? = nil, note: String? = nil) throws -> RowID {
        let engineer = engineer.trimmingCharacters(in: .whitespaces)
        guard !engineer.isEmpty else { throw ReplicaError(.invalidValue, "the engineer is empty: pass --engineer NAME") }
        let minutes = try Replica.parseHours(hours)
        let id = RowID()
        try transaction {
            let deal = try resolve(dealReference, in: .deals)
            var writes = [
                FieldWrite(.time_entries, id, "deal", .text(deal.lowercased)), FieldWrite(.time_entries, id, "engineer", .text(engineer)),
                FieldWrite(.time_entries, id, "date", .date(date ?? today)), FieldWrite(.time_entries, id, "minutes", .integer(minutes)),
            ]
            if let note { writes.append(FieldWrite(.time_entries, id, "note", .text(note))) }
            try recordLocal(writes)
        }
        return id
    }

    /// Decimal hours to whole minutes (rounded half up), exactly: "7.5" -> 450.
    static func parseHours(_ text: String) throws(ReplicaError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let hundredths = Money.parseDecimal(trimmed, digits: 2), hundredths > 0, hundredths <= 100_000 else {
            throw ReplicaError(.invalidValue, "invalid hours '\(text)': write a positive number of hours with at most 2 decimals and at most 1000, such as 7.5")
        }
        return (hundredths * 60 + 50) / 100
    }

    /// Signs the main contract: records its model, sets `contract_signed`, outcome won and
    /// stage `main_contract` (gate checked unless `override` gives a reason). A signed
    /// contract is changed only with `amend`.
    public func signContract(_ dealReference: String, terms: ContractTerms, date: Day? = nil, override reason: String? = nil,
                             amend: Bool = false) throws {
        var writes: [(String, Value)]
        switch terms {
        case let .royalty(fee, per, volume):
            guard fee.minorUnits > 0, volume > 0 else { throw ReplicaError(.invalidValue, "a royalty contract needs a positive fee and a positive volume") }
            writes = [("contract_model", .text("royalty")), ("contract_fee", .money(fee)), ("contract_unit", .text(per.rawValue)),
                      ("contract_volume", .integer(volume))]
        case let .oneTimeCharge(fee, months, device):
            let device = device.trimmingCharacters(in: .whitespaces)
            guard fee.minorUnits > 0, months > 0 else { throw ReplicaError(.invalidValue, "a one-time-charge contract needs a positive fee and a positive number of months") }
            guard !device.isEmpty else { throw ReplicaError(.invalidValue, "a one-time-charge contract names its device: pass --device D") }
            writes = [("contract_model", .text("otc")), ("contract_fee", .money(fee)), ("contract_months", .integer(months)),
                      ("contract_device", .text(device))]
        }
        try transaction {
            let deal = try loadDeal(try resolve(dealReference, in: .deals))
            guard deal.outcome != .lost else { throw ReplicaError(.invalidState, "deal \(deal.id.short) is lost: reopen it first with 'gsp deal set \(deal.id.short) outcome=open'") }
            if !amend, let signed = deal["contract_signed"].dateValue {
                throw ReplicaError(.invalidState, "the main contract of deal \(deal.id.short) is already signed (\(signed)): pass --amend to change its terms")
            }
            var all = writes.map { FieldWrite(.deals, deal.id, $0.0, $0.1) }
            all.append(FieldWrite(.deals, deal.id, "contract_signed", .date(date ?? today)))
            all.append(FieldWrite(.deals, deal.id, "outcome", .text(Outcome.won.rawValue)))
            if deal.stage < .mainContract {
                all += try gateWrites(deal, entering: .mainContract, override: reason)
                all.append(FieldWrite(.deals, deal.id, "stage", .text(Stage.mainContract.rawValue)))
            }
            try recordLocal(all)
        }
    }

    /// Records the customer's launch and moves the deal to `launch` (gate checked unless overridden).
    public func launch(_ dealReference: String, date: Day, product: String, market: String? = nil, override reason: String? = nil) throws {
        let product = product.trimmingCharacters(in: .whitespaces)
        guard !product.isEmpty else { throw ReplicaError(.invalidValue, "the product is empty: pass --product NAME") }
        try transaction {
            let deal = try loadDeal(try resolve(dealReference, in: .deals))
            guard deal.outcome != .lost else { throw ReplicaError(.invalidState, "deal \(deal.id.short) is lost: reopen it first with 'gsp deal set \(deal.id.short) outcome=open'") }
            if let signed = deal["contract_signed"].dateValue, date < signed {
                throw ReplicaError(.invalidState, "the launch date \(date) is before the main contract was signed (\(signed)): check --date")
            }
            var all = [FieldWrite(.deals, deal.id, "launch_date", .date(date)), FieldWrite(.deals, deal.id, "launch_product", .text(product))]
            if let market { all.append(FieldWrite(.deals, deal.id, "launch_market", .text(market))) }
            if deal.stage != .launch {
                all = try gateWrites(deal, entering: .launch, override: reason) + all
                all.append(FieldWrite(.deals, deal.id, "stage", .text(Stage.launch.rawValue)))
            }
            try recordLocal(all)
        }
    }

    /// Records an activity (a visit, a call, ...) on a deal; returns its id.
    @discardableResult
    public func addActivity(_ dealReference: String, note: String, kind: String = "visit", date: Day? = nil) throws -> RowID {
        let note = note.trimmingCharacters(in: .whitespaces)
        guard !note.isEmpty else { throw ReplicaError(.invalidValue, "the note is empty: pass --note TEXT") }
        let id = RowID()
        try transaction {
            let deal = try resolve(dealReference, in: .deals)
            try recordLocal([
                FieldWrite(.activities, id, "deal", .text(deal.lowercased)), FieldWrite(.activities, id, "date", .date(date ?? today)),
                FieldWrite(.activities, id, "kind", .text(kind)), FieldWrite(.activities, id, "note", .text(note)),
            ])
        }
        return id
    }
}
