import GSPCore

/// Weighted value by expected close month, and contract value by commercial model.
public struct ForecastReport: Sendable {
    public struct Month: Hashable, Sendable {
        /// "YYYY-MM"; nil for deals with neither an expected close nor a signed contract date.
        public var month: String?
        public var count: Int
        public var total: MoneyTotals
        public var weighted: MoneyTotals
    }

    public struct Model: Hashable, Sendable {
        /// "royalty" or "otc".
        public var model: String
        public var count: Int
        public var total: MoneyTotals
    }

    public var months: [Month]
    public var models: [Model]
    public var probabilities: StageProbabilities

    public init(data: PipelineData, probabilities: StageProbabilities = .standard) {
        self.probabilities = probabilities
        var byMonth: [String?: (count: Int, totals: WeightedTotals)] = [:]
        var byModel: [String: (count: Int, total: MoneyTotals)] = ["royalty": (0, MoneyTotals()), "otc": (0, MoneyTotals())]
        for deal in data.deals where deal.outcome != .lost {
            let close = deal["expected_close"].dateValue ?? deal["contract_signed"].dateValue
            let key = close?.monthKey
            byMonth[key, default: (0, WeightedTotals())].count += 1
            byMonth[key]!.totals.add(deal)
            if let contract = deal.contract, let value = contract.value {
                byModel[contract.modelName]!.count += 1
                byModel[contract.modelName]!.total.add(value)
            }
        }
        // Months in order, deals without a date last.
        months = byMonth.keys.sorted { ($0 ?? "9999-99") < ($1 ?? "9999-99") }.map { key in
            let cell = byMonth[key]!
            return Month(month: key, count: cell.count, total: cell.totals.total, weighted: cell.totals.weighted(probabilities))
        }
        models = ["royalty", "otc"].map { Model(model: $0, count: byModel[$0]!.count, total: byModel[$0]!.total) }
    }

    public func table(asOf: Int64?) -> ReportTable {
        let monthRows: [[Cell]] = months.map {
            [.text($0.month ?? "(no date)"), .count($0.count), .money($0.total), .money($0.weighted)]
        }
        let modelRows: [[Cell]] = models.map {
            [.text($0.model == "otc" ? "one-time charge" : "royalty"), .count($0.count), .money($0.total)]
        }
        return ReportTable(title: "Forecast", asOf: asOf, notes: [
            "Open and won deals by expected close month (the main contract's signed date when no expected close is set).",
            "Weighted with the stage probabilities; won deals count 100%. Money is summed per currency.",
            "Contract value: royalty = fee x estimated volume; one-time charge = the fee. Deals with a complete contract model only.",
        ], sections: [
            ReportSection(title: "By close month", columns: [
                Column("month", "Month"), Column("count", "Deals"), Column("value", "Value"), Column("weighted", "Weighted"),
            ], rows: monthRows),
            ReportSection(title: "By contract model", columns: [
                Column("model", "Model"), Column("count", "Deals"), Column("value", "Contract value"),
            ], rows: modelRows),
        ])
    }
}
