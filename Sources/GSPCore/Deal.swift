/// A deal as its merged fields describe it. Built from field values, so it reads the
/// same on a replica, on the server and in as-of reports.
public struct Deal: Hashable, Sendable {
    public var id: RowID
    public var fields: [String: Value]

    public init(id: RowID, fields: [String: Value]) {
        self.id = id
        self.fields = fields
    }

    public subscript(_ name: String) -> Value { fields[name] ?? .null }

    public var title: String { self["title"].textValue ?? "" }
    public var account: String { self["account"].textValue ?? "" }
    public var owner: String { self["owner"].textValue ?? "" }
    public var region: String { self["region"].textValue ?? "" }
    /// A missing or unknown stage reads as `bau`, so a half-synced row still shows up.
    public var stage: Stage { self["stage"].textValue.flatMap(Stage.init(rawValue:)) ?? .businessAsUsual }
    public var outcome: Outcome { self["outcome"].textValue.flatMap(Outcome.init(rawValue:)) ?? .open }
    public var isDeleted: Bool { self["deleted"].boolValue ?? false }
    public var contract: Contract? { Contract(fields: fields) }
}

/// A KPI agreed in stage 3 and measured in stage 5.
public struct KPI: Hashable, Sendable {
    public enum Comparator: String, Sendable, CaseIterable {
        case atLeast = ">=", atMost = "<="
    }

    public var id: RowID
    public var deal: RowID?
    public var metric: String
    public var unit: String
    public var comparator: Comparator?
    public var target: Double?
    public var agreed: Day?
    public var measured: Double?
    /// The measurement condition agreed with the target ("1080p video"); empty when none.
    public var condition: String
    public var isDeleted: Bool

    public init(id: RowID, fields: [String: Value]) {
        self.id = id
        deal = fields["deal"]?.textValue.flatMap(RowID.init(uuidString:))
        metric = fields["metric"]?.textValue ?? ""
        unit = fields["unit"]?.textValue ?? ""
        comparator = fields["comparator"]?.textValue.flatMap(Comparator.init(rawValue:))
        target = fields["target"]?.realValue
        agreed = fields["agreed"]?.dateValue
        measured = fields["measured"]?.realValue
        condition = fields["condition"]?.textValue ?? ""
        isDeleted = fields["deleted"]?.boolValue ?? false
    }

    /// Pass or fail from the comparator and target; nil until measured.
    public var passed: Bool? {
        guard let measured, let target, let comparator else { return nil }
        switch comparator {
        case .atLeast: return measured >= target
        case .atMost: return measured <= target
        }
    }

    /// Parses a target such as ">=30" or "<= 2.5" into its comparator and value.
    public static func parseTarget(_ text: String) throws(DomainError) -> (Comparator, Double) {
        let s = text.trimmingCharacters(in: .whitespaces)
        for c in Comparator.allCases where s.hasPrefix(c.rawValue) {
            let number = s.dropFirst(c.rawValue.count).trimmingCharacters(in: .whitespaces)
            if let v = Double(number), v.isFinite { return (c, v) }
        }
        throw DomainError("malformed KPI target '\(text)': write a comparator and a number, such as '>=30' or '<=2.5'")
    }
}

/// One time-card line of the PIS contract.
public struct TimeEntry: Hashable, Sendable {
    public var id: RowID
    public var deal: RowID?
    public var engineer: String
    public var date: Day?
    public var minutes: Int64
    public var isDeleted: Bool

    public init(id: RowID, fields: [String: Value]) {
        self.id = id
        deal = fields["deal"]?.textValue.flatMap(RowID.init(uuidString:))
        engineer = fields["engineer"]?.textValue ?? ""
        date = fields["date"]?.dateValue
        minutes = fields["minutes"]?.integerValue ?? 0
        isDeleted = fields["deleted"]?.boolValue ?? false
    }
}
