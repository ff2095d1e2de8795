/// The replicated tables and their known fields. Names are the wire names and must
/// not change; a field not listed here (from a newer client) is still stored and forwarded.
public enum Schema {
    /// The schema version sent in every sync request.
    public static let version: UInt32 = 1

    public enum Table: String, CaseIterable, Sendable {
        case deals, kpis, time_entries, activities, accounts
    }

    /// A known field: its name and the kind of value it holds.
    public struct Field: Hashable, Sendable {
        public let name: String
        public let kind: ValueKind
        public let help: String
        public init(_ name: String, _ kind: ValueKind, _ help: String) {
            self.name = name
            self.kind = kind
            self.help = help
        }
    }

    /// Every row of every table may be deleted with this field (a tombstone; never un-set by other fields).
    public static let deleted = Field("deleted", .bool, "true when the row is deleted")
    /// Child rows point at their deal with this field (the deal's lower-case UUID).
    public static let dealRef = Field("deal", .text, "the deal this row belongs to")

    public static let dealFields: [Field] = [
        Field("title", .text, "deal title"),
        Field("account", .text, "customer account name"),
        Field("contact", .text, "customer contact"),
        Field("region", .text, "sales region"),
        Field("owner", .text, "the rep who owns the deal"),
        Field("manager", .text, "the owner's manager"),
        Field("product", .text, "product or solution offered"),
        Field("device", .text, "customer device of interest"),
        Field("platform", .text, "customer platform"),
        Field("value", .money, "expected deal value"),
        Field("expected_close", .date, "expected close date"),
        Field("next_step", .text, "next step"),
        Field("stage", .text, "current stage id"),
        Field("stage_override", .text, "reason recorded when a stage gate was overridden"),
        Field("outcome", .text, "open, won or lost"),
        Field("lost_reason", .text, "why the deal was lost"),
        Field("lost_stage", .text, "the stage the deal was lost at"),
        Field("poc_device", .text, "PoC target device"),
        Field("poc_start", .date, "PoC start date"),
        Field("poc_end", .date, "PoC end date"),
        Field("poc_status", .text, "PoC status"),
        Field("pis_signed", .date, "PIS contract signed date"),
        Field("pis_rate", .money, "PIS hourly rate"),
        Field("pis_engineer", .text, "engineer assigned to the PIS contract"),
        Field("eval_date", .date, "evaluation date"),
        Field("contract_model", .text, "royalty or otc"),
        Field("contract_fee", .money, "royalty fee per unit, or the one-time charge"),
        Field("contract_unit", .text, "royalty unit kind: unit, line or copy"),
        Field("contract_volume", .integer, "estimated royalty volume"),
        Field("contract_months", .integer, "one-time-charge period in months"),
        Field("contract_device", .text, "device the one-time charge covers"),
        Field("contract_signed", .date, "main contract signed date"),
        Field("launch_date", .date, "customer launch date"),
        Field("launch_product", .text, "launched product name"),
        Field("launch_market", .text, "launch market"),
        deleted,
    ]

    public static let kpiFields: [Field] = [
        dealRef,
        Field("metric", .text, "what is measured"),
        Field("unit", .text, "unit of the metric"),
        Field("comparator", .text, ">= or <="),
        Field("target", .real, "target value"),
        Field("condition", .text, "measurement condition"),
        Field("agreed", .date, "date the KPI was agreed"),
        Field("measured", .real, "value measured in the evaluation"),
        deleted,
    ]

    public static let timeEntryFields: [Field] = [
        dealRef,
        Field("engineer", .text, "engineer"),
        Field("date", .date, "date worked"),
        Field("minutes", .integer, "time worked, in minutes"),
        Field("note", .text, "note"),
        deleted,
    ]

    public static let activityFields: [Field] = [
        dealRef,
        Field("date", .date, "date of the activity"),
        Field("kind", .text, "visit, call, mail, ..."),
        Field("note", .text, "what happened"),
        deleted,
    ]

    public static let accountFields: [Field] = [
        Field("name", .text, "account name"),
        Field("sector", .text, "industry sector"),
        Field("country", .text, "country of the main office"),
        Field("region", .text, "sales region"),
        deleted,
    ]

    public static func fields(of table: Table) -> [Field] {
        switch table {
        case .deals: dealFields
        case .kpis: kpiFields
        case .time_entries: timeEntryFields
        case .activities: activityFields
        case .accounts: accountFields
        }
    }

    /// The rule for table and field names, known or not: a lower-case ASCII letter, then letters,
    /// digits or '_', at most 64 bytes. Names reach CSV headers, SQL and reports: nothing a
    /// spreadsheet runs as a formula or a terminal as a control code can pass as one.
    public static let nameRule = "a lower-case letter, then lower-case letters, digits or '_' (at most 64)"

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// The known field of a table, or nil for a field this version does not know.
    public static func field(_ name: String, in table: Table) -> Field? {
        fields(of: table).first { $0.name == name }
    }
}
