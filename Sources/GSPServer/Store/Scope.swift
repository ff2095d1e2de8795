import Foundation
import GSPCore

/// The scoping rules, shared by every backend: which rows belong to a deal, and what a rep may write.
public enum Scope {
    /// Tables whose rows are visible to everyone and belong to no deal.
    public static let sharedTables: Set<String> = [Schema.Table.accounts.rawValue]
    public static let dealsTable = Schema.Table.deals.rawValue
    public static let ownerField = "owner"
    public static let dealField = Schema.dealRef.name

    /// True for tables whose rows name their deal with the `deal` field (known children and unknown tables).
    public static func isChildTable(_ table: String) -> Bool {
        table != dealsTable && !sharedTables.contains(table)
    }

    /// The deal a `deal` field value names, in the stored lower-case form; nil for null.
    public static func dealReference(_ value: Value) -> String? {
        guard case .text(let text) = value, let uuid = UUID(uuidString: text) else { return nil }
        return uuid.lowercased
    }

    /// Why a change is malformed, or nil when it may be merged.
    public static func invalidReason(_ change: Change) -> String? {
        for (what, name) in [("table", change.table), ("field", change.field)] where !Schema.isValidName(name) {
            let shown = name.utf8.count > 40 ? String(name.prefix(40)) + "..." : name
            return "\(what) name '\(shown.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "?" }.joined())' is not a name: "
                + "write \(Schema.nameRule)"
        }
        if change.hlc == .zero { return "the change has no HLC stamp" }
        // Currencies are database text, which cannot hold NUL in PostgreSQL.
        if case .money(let money) = change.value, money.currency.utf8.contains(0) { return "a currency code must not contain NUL characters" }
        if let table = Schema.Table(rawValue: change.table), let field = Schema.field(change.field, in: table),
           !change.value.isNull, change.value.kind != field.kind {
            return "\(change.table).\(change.field) holds \(field.kind.name) values, not \(change.value.kind.name)"
        }
        if isChildTable(change.table), change.field == dealField, !change.value.isNull, dealReference(change.value) == nil {
            return "\(change.table).deal must be a deal's UUID, not '\(change.value.abbreviated(to: 60))'"
        }
        if change.table == dealsTable, change.field == ownerField, !change.value.isNull, change.value.textValue?.isEmpty != false || change.value.textValue?.utf8.contains(0) == true {
            return "deals.owner must be a user name"
        }
        return nil
    }
}

/// What a push sets up for rows it creates, so a rep can create a deal and its children in one batch.
struct BatchIntent {
    /// Owners a push gives to deals (deal id -> owner names).
    var dealOwners: [String: Set<String>] = [:]
    /// The deal a push gives to child rows ("table/row" -> deal id).
    var childDeals: [String: String] = [:]

    init(_ changes: [IncomingChange]) {
        for pushed in changes {
            let change = pushed.change
            if change.table == Scope.dealsTable, change.field == Scope.ownerField, let owner = change.value.textValue {
                dealOwners[change.row.lowercased, default: []].insert(owner)
            } else if Scope.isChildTable(change.table), change.field == Scope.dealField, let deal = Scope.dealReference(change.value) {
                childDeals[Self.key(change.table, change.row)] = deal
            }
        }
    }

    static func key(_ table: String, _ row: RowID) -> String { "\(table)/\(row.lowercased)" }
}
