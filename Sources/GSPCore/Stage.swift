/// The seven stages of the General Sales Process, in order.
public enum Stage: String, CaseIterable, Comparable, Sendable, Codable {
    case businessAsUsual = "bau"
    case proofOfConcept = "poc"
    case keyAgreement = "kpi"
    case preInstallation = "pis"
    case evaluation = "evaluation"
    case mainContract = "main_contract"
    case launch = "launch"

    /// 1-based position in the process.
    public var number: Int { Stage.allCases.firstIndex(of: self)! + 1 }

    /// A short human name for reports and help texts.
    public var title: String {
        switch self {
        case .businessAsUsual: "Business as usual"
        case .proofOfConcept: "Proof of concept"
        case .keyAgreement: "KPI agreement"
        case .preInstallation: "PIS contract"
        case .evaluation: "Evaluation"
        case .mainContract: "Main contract"
        case .launch: "Launch"
        }
    }

    public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.number < rhs.number }

    /// Parses a stage id, with an error listing the valid ids.
    public static func parse(_ text: String) throws(DomainError) -> Stage {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let stage = Stage(rawValue: key) { return stage }
        throw DomainError("unknown stage '\(text)': use one of \(Stage.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// Whether a deal is still in the active pipeline.
public enum Outcome: String, CaseIterable, Sendable, Codable {
    case open, won, lost

    public static func parse(_ text: String) throws(DomainError) -> Outcome {
        if let outcome = Outcome(rawValue: text.lowercased()) { return outcome }
        throw DomainError("unknown outcome '\(text)': use open, won or lost")
    }
}
