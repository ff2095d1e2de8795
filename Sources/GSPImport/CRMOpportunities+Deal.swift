import GSPCore

extension CRMOpportunities {
    /// Maps one pipeline row onto a deal's timeline of field writes.
    static func deal(_ r: CSVRecord, in t: CSVTable, team: [String: (manager: String, region: String)],
                     products: [String: (name: String, price: String)], fallbackDay: Day) throws(ImportError) -> ImportRecord {
        func fail(_ reason: String) -> ImportError { ImportError(file: t.file, line: r.line, reason: reason) }
        func day(_ column: String) throws(ImportError) -> Day? {
            let text = try t.value(column, in: r)
            if text.isEmpty { return nil }
            do { return try Day.parse(text) } catch { throw fail("\(column): \(error.message)") }
        }
        let id = try t.value("opportunity_id", in: r)
        guard !id.isEmpty else { throw fail("empty opportunity_id: every row needs the source's id") }
        let agent = try t.value("sales_agent", in: r)
        let account = try t.value("account", in: r)
        let rawProduct = try t.value("product", in: r)
        let product = products[productKey(rawProduct)]
        let stageText = try t.value("deal_stage", in: r)
        let engaged = try day("engage_date"), closed = try day("close_date")
        let closeValue = try t.value("close_value", in: r)

        let created = engaged ?? fallbackDay
        var w: [TimedWrite] = []
        func set(_ field: String, _ value: Value, _ on: Day, _ order: Int = 0) { w.append(TimedWrite(field, value, day: on, order: order)) }
        let productName = product?.name ?? rawProduct
        set("title", .text("\(productName) for \(account.isEmpty ? "an unnamed account" : account)"), created)
        if !account.isEmpty { set("account", .text(account), created) }
        if !agent.isEmpty { set("owner", .text(agent), created) }
        if let member = team[agent] {
            set("manager", .text(member.manager), created)
            set("region", .text(member.region), created)
        }
        if !productName.isEmpty {
            set("product", .text(productName), created)
            set("device", .text(productName), created)
        }
        if let price = product?.price, let minor = Money.parseDecimal(price, digits: 2) {
            set("value", .money(Money(minorUnits: minor, currency: currency)), created)
        }
        set("stage", .text(Stage.businessAsUsual.rawValue), created)
        set("outcome", .text(Outcome.open.rawValue), created)

        func engage() throws(ImportError) {
            guard let engaged else { throw fail("deal_stage \(stageText) needs an engage_date") }
            set("stage", .text(Stage.proofOfConcept.rawValue), engaged, 1)
            set("poc_start", .date(engaged), engaged, 1)
        }
        switch stageText {
        case "Prospecting":
            break
        case "Engaging":
            try engage()
        case "Won":
            try engage()
            guard let closed else { throw fail("a Won deal needs a close_date") }
            guard let minor = Money.parseDecimal(closeValue, digits: 2), minor >= 0 else {
                throw fail("close_value '\(closeValue)' is not an amount: a Won deal needs its contract value")
            }
            guard closed >= created else { throw fail("close_date \(closed) is before engage_date \(created)") }
            set("contract_model", .text("otc"), closed, 2)
            set("contract_fee", .money(Money(minorUnits: minor, currency: currency)), closed, 2)
            set("contract_months", .integer(Contract.defaultMonths), closed, 2)
            set("contract_device", .text(productName.isEmpty ? "unspecified" : productName), closed, 2)
            set("contract_signed", .date(closed), closed, 2)
            set("stage_override", .text(overrideReason), closed, 2)
            set("stage", .text(Stage.mainContract.rawValue), closed, 2)
            set("outcome", .text(Outcome.won.rawValue), closed, 2)
        case "Lost":
            let reached: Stage = engaged == nil ? .businessAsUsual : .proofOfConcept
            if engaged != nil { try engage() }
            guard let closed else { throw fail("a Lost deal needs a close_date") }
            set("outcome", .text(Outcome.lost.rawValue), closed, 2)
            set("lost_stage", .text(reached.rawValue), closed, 2)
            set("lost_reason", .text(lostReason), closed, 2)
        default:
            throw fail("unknown deal_stage '\(stageText)': expected Prospecting, Engaging, Won or Lost")
        }
        return ImportRecord(table: .deals, row: dealID(id), origin: "\(t.file):\(r.line)", writes: w)
    }
}
