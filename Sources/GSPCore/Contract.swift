/// The main contract's commercial model and the value derived from it.
public enum Contract: Hashable, Sendable {
    public enum RoyaltyUnit: String, Sendable, CaseIterable { case unit, line, copy }

    /// A fee per unit, line or copy times an estimated volume.
    case royalty(fee: Money, per: RoyaltyUnit, volume: Int64)
    /// A one-time charge for a period (normally 12 months) for a named device.
    case oneTimeCharge(fee: Money, months: Int64, device: String)

    public static let defaultMonths: Int64 = 12

    /// Reads the model from deal fields; nil when no complete model is there.
    public init?(fields: [String: Value]) {
        switch fields["contract_model"]?.textValue {
        case "royalty":
            guard let fee = fields["contract_fee"]?.moneyValue,
                  let per = fields["contract_unit"]?.textValue.flatMap(RoyaltyUnit.init(rawValue:)),
                  let volume = fields["contract_volume"]?.integerValue else { return nil }
            self = .royalty(fee: fee, per: per, volume: volume)
        case "otc":
            guard let fee = fields["contract_fee"]?.moneyValue,
                  let device = fields["contract_device"]?.textValue, !device.isEmpty else { return nil }
            self = .oneTimeCharge(fee: fee, months: fields["contract_months"]?.integerValue ?? Contract.defaultMonths, device: device)
        default:
            return nil
        }
    }

    public var modelName: String {
        switch self {
        case .royalty: "royalty"
        case .oneTimeCharge: "otc"
        }
    }

    /// Royalty: fee x estimated volume. One-time charge: the fee. Nil on overflow.
    public var value: Money? {
        switch self {
        case let .royalty(fee, _, volume): fee.times(volume)
        case let .oneTimeCharge(fee, _, _): fee
        }
    }
}

/// Fees and results derived from a deal's child rows.
public enum Derived {
    /// PIS fee = total time-card hours x hourly rate, rounded to the currency's minor unit.
    /// Deleted entries and entries of other deals do not count.
    public static func pisFee(rate: Money, entries: [TimeEntry]) -> Money? {
        let minutes = entries.filter { !$0.isDeleted }.reduce(Int64(0)) { $0 &+ $1.minutes }
        return rate.times(minutes, over: 60)
    }

    /// The evaluation's overall result from the deal's live KPIs.
    public static func evaluation(_ kpis: [KPI]) -> EvaluationResult {
        let live = kpis.filter { !$0.isDeleted }
        if live.isEmpty { return .pending }
        let results = live.map(\.passed)
        if results.contains(false) { return .failed }
        return results.contains(nil) ? .pending : .passed
    }
}

public enum EvaluationResult: String, Sendable {
    /// Every KPI measured and met.
    case passed
    /// At least one KPI measured and missed.
    case failed
    /// No KPI, or some not yet measured.
    case pending
}
