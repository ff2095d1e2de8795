/// The checks a rep's client makes before a deal enters a stage (DESIGN.md section 1).
/// Merging never applies them: merged data that breaks a gate is reported as an anomaly.
public enum StageGate {
    /// What is missing for `deal` to enter `target`, checking every stage it passes
    /// on the way forward. Empty when the move is allowed; moving back needs nothing.
    public static func missing(for deal: Deal, entering target: Stage, kpis: [KPI]) -> [String] {
        let ahead = Stage.allCases.filter { $0 > deal.stage && $0 <= target }
        return ahead.flatMap { requirements(of: $0, deal: deal, kpis: kpis) }
    }

    /// What a deal must have to be in `stage`; used for anomalies in merged data too.
    public static func requirements(of stage: Stage, deal: Deal, kpis: [KPI]) -> [String] {
        let live = kpis.filter { !$0.isDeleted }
        switch stage {
        case .businessAsUsual, .proofOfConcept, .keyAgreement:
            return []
        case .preInstallation:
            return live.contains { $0.agreed != nil && $0.comparator != nil && $0.target != nil }
                ? [] : ["entering pis needs at least one agreed KPI (gsp kpi add DEAL --metric M --target '>=N')"]
        case .evaluation:
            var missing: [String] = []
            if deal["pis_signed"].dateValue == nil { missing.append("entering evaluation needs a signed PIS contract (gsp pis sign DEAL --rate '120 USD/h' --engineer E)") }
            if (deal["pis_engineer"].textValue ?? "").isEmpty { missing.append("entering evaluation needs an assigned PIS engineer") }
            return missing
        case .mainContract:
            switch Derived.evaluation(live) {
            case .passed: return []
            case .failed: return ["entering main_contract needs a passed evaluation, but a KPI was missed (gsp deal show DEAL lists them)"]
            case .pending: return ["entering main_contract needs a passed evaluation: measure every KPI first (gsp kpi measure KPI VALUE)"]
            }
        case .launch:
            var missing: [String] = []
            if deal["contract_signed"].dateValue == nil { missing.append("entering launch needs a signed main contract (gsp contract sign DEAL ...)") }
            if deal.contract == nil { missing.append("entering launch needs the main contract's model data (royalty: fee, unit, volume; otc: fee, device)") }
            return missing
        }
    }
}
