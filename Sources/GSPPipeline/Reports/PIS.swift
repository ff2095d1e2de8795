import GSPCore

/// PIS fees from the time cards: minutes x the deal's hourly rate / 60, exact to the minor unit.
///
/// A fee is computed from the minutes of one deal at a time (by deal; by deal and engineer;
/// by deal and month) and those fees are summed, so per-engineer and per-month totals can
/// differ from the per-deal total by rounding of a minor unit.
public struct PISReport: Sendable {
    public struct Line: Hashable, Sendable {
        /// A deal's name, an engineer or a "YYYY-MM" month.
        public var key: String
        public var minutes: Int64
        /// Fees of the entries whose deal has a rate, per currency.
        public var fee: MoneyTotals
    }

    public struct DealLine: Hashable, Sendable {
        public var deal: RowID
        public var name: String
        public var engineer: String
        public var rate: Money?
        public var minutes: Int64
        public var fee: Money?
    }

    public var deals: [DealLine]
    public var engineers: [Line]
    public var months: [Line]
    /// Minutes booked on deals without a PIS rate: counted, not priced.
    public var unpricedMinutes: Int64

    public init(data: PipelineData) {
        let byDeal = Dictionary(grouping: data.timeEntries) { $0.deal! }
        var engineers: [String: Line] = [:], months: [String: Line] = [:]
        var unpriced: Int64 = 0
        var dealLines: [DealLine] = []
        for deal in data.deals {
            let entries = byDeal[deal.id] ?? []
            let rate = deal["pis_rate"].moneyValue
            guard !entries.isEmpty || rate != nil else { continue }
            let minutes = Self.minutes(entries)
            let fee = rate.flatMap { Derived.pisFee(rate: $0, entries: entries) }
            dealLines.append(DealLine(deal: deal.id, name: deal.displayName, engineer: deal["pis_engineer"].textValue ?? "",
                                      rate: rate, minutes: minutes, fee: fee))
            if rate == nil { unpriced &+= minutes }
            Self.add(entries, by: { $0.engineer.isEmpty ? "(none)" : $0.engineer }, rate: rate, into: &engineers)
            Self.add(entries, by: { $0.date?.monthKey ?? "(no date)" }, rate: rate, into: &months)
        }
        deals = dealLines
        self.engineers = engineers.values.sorted { $0.key < $1.key }
        self.months = months.values.sorted { $0.key < $1.key }
        unpricedMinutes = unpriced
    }

    private static func add(_ entries: [TimeEntry], by key: (TimeEntry) -> String, rate: Money?, into lines: inout [String: Line]) {
        for (k, group) in Dictionary(grouping: entries, by: key) {
            var line = lines[k] ?? Line(key: k, minutes: 0, fee: MoneyTotals())
            let (sum, over) = line.minutes.addingReportingOverflow(minutes(group))
            line.minutes = over ? .max : sum
            // A fee past 64 bits (hours x rate) is shown as "over", never left out.
            if let rate { line.fee.add(MoneyTotals.exactOrOver(Derived.pisFee(rate: rate, entries: group), currency: rate.currency)) }
            lines[k] = line
        }
    }

    /// Total minutes, held at the 64-bit limit rather than wrapped.
    static func minutes(_ entries: [TimeEntry]) -> Int64 {
        entries.reduce(Int64(0)) { total, entry in
            let (sum, over) = total.addingReportingOverflow(entry.minutes)
            return over ? (entry.minutes < 0 ? .min : .max) : sum
        }
    }

    static func hours(_ minutes: Int64) -> Cell { .number(Double(minutes) / 60, decimals: 2) }

    public func table(asOf: Int64?) -> ReportTable {
        let dealRows: [[Cell]] = deals.map {
            [.text($0.deal.short), .text($0.name), .text($0.engineer), .money($0.rate), Self.hours($0.minutes),
             .money(MoneyTotals.exactOrOver($0.fee, currency: $0.rate?.currency))]
        }
        func rows(_ lines: [Line]) -> [[Cell]] { lines.map { [.text($0.key), Self.hours($0.minutes), .money($0.fee)] } }
        var notes = [
            "Fee = time-card hours x the deal's PIS hourly rate, rounded to the currency's minor unit per deal.",
            "Totals by engineer and month add per-deal fees of that engineer or month, so they may differ by rounding.",
        ]
        if unpricedMinutes > 0 {
            notes.append("\(Cell.format(Double(unpricedMinutes) / 60, decimals: 2)) hours are on deals without a PIS rate and are not priced.")
        }
        return ReportTable(title: "PIS fees", asOf: asOf, notes: notes, sections: [
            ReportSection(title: "By deal", columns: [
                Column("id", "ID"), Column("deal", "Deal"), Column("engineer", "PIS engineer"), Column("rate", "Rate per hour"),
                Column("hours", "Hours"), Column("fee", "Fee"),
            ], rows: dealRows),
            ReportSection(title: "By engineer", columns: [Column("engineer", "Engineer"), Column("hours", "Hours"), Column("fee", "Fee")],
                          rows: rows(engineers)),
            ReportSection(title: "By month", columns: [Column("month", "Month"), Column("hours", "Hours"), Column("fee", "Fee")],
                          rows: rows(months)),
        ])
    }
}
