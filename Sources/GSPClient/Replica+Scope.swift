import GSPCore

/// What a rep may write, checked on the replica before a change reaches the pending log.
///
/// The server refuses a rep's change to a deal they do not own (and to its KPIs, time cards and
/// activities) one by one at sync, long after the rep moved on: thousands of refusals for one
/// mistaken import. The same rule, applied here, refuses the whole edit at once with what to do.
/// Only a replica whose login told it the role `rep` checks; a manager writes anything, and a
/// replica that never logged in cannot know its role (the server still checks at sync).
extension Replica {
    /// Throws `outOfScope` when `writes` (one local edit) would be refused by the server for this rep.
    func checkWriteScope(_ writes: [FieldWrite]) throws {
        guard try role() == "rep" else { return }
        if let reason = try scopeRefusal(writes) { throw ReplicaError(.outOfScope, reason) }
    }

    /// Why this replica's user, as a rep, may not make the edit `writes`; nil when they may.
    ///
    /// A deal is theirs when its stored owner is them; a deal the replica has never seen is theirs
    /// when the edit gives it them, and only them, as owner (hand a new deal over in a second edit,
    /// as `deal new --owner` does). A KPI, time card or activity belongs to the deal its `deal`
    /// field names (in the edit, else stored); moving one needs both deals to be theirs.
    public func scopeRefusal(_ writes: [FieldWrite]) throws -> String? {
        var owners: [String: Set<String>] = [:], parents: [String: String] = [:]
        for w in writes {
            if w.table == Schema.Table.deals.rawValue, w.field == "owner" {
                owners[w.row.lowercased, default: []].insert(w.value.textValue ?? "")
            } else if w.table != Schema.Table.deals.rawValue, w.field == Schema.dealRef.name, let deal = w.value.textValue {
                parents[w.table + "/" + w.row.lowercased] = deal.lowercased()
            }
        }
        var checked = Set<String>(), seenRows = Set<String>()
        for w in writes where !Self.sharedTables.contains(w.table) && seenRows.insert(w.table + "/" + w.row.lowercased).inserted {
            var deals: [String] = []
            if w.table == Schema.Table.deals.rawValue {
                deals = [w.row.lowercased]
            } else {
                if let stored = try currentWinner(table: w.table, row: w.row, field: Schema.dealRef.name)?.value.textValue {
                    deals.append(stored.lowercased())
                }
                if let named = parents[w.table + "/" + w.row.lowercased] { deals.append(named) }
            }
            for deal in deals where checked.insert(deal).inserted {
                if let reason = try dealRefusal(deal, owners: owners[deal]) { return reason }
            }
        }
        return nil
    }

    /// Tables whose rows belong to no deal: anyone may write them (the server's rule too).
    static let sharedTables: Set<String> = [Schema.Table.accounts.rawValue]

    private func dealRefusal(_ deal: String, owners: Set<String>?) throws -> String? {
        let short = String(deal.prefix(8)), advice = "a rep may change only their own deals, and the server would refuse this at sync"
        guard let id = RowID(uuidString: deal) else { return "deal '\(deal)' is not a deal id" }
        if let owner = try currentWinner(table: Schema.Table.deals.rawValue, row: id, field: "owner")?.value.textValue {
            if owner == user { return nil }
            return "deal \(short) is owned by \(owner), not you (\(user)): \(advice). Ask \(owner) or a manager to make this change"
        }
        if try !fields(of: Schema.Table.deals.rawValue, row: id).isEmpty {
            return "deal \(short) has no owner: \(advice). Ask a manager to assign it"
        }
        guard let owners else {
            return "deal \(short) is not on this replica: \(advice). Check the deal id, or 'gsp sync' to get your deals"
        }
        guard owners == [user] else {
            let others = owners.subtracting([user]).sorted().joined(separator: ", ")
            return "a new deal owned by \(others) instead of you (\(user)): \(advice). Create your own deals; "
                + "to hand one over, create it as yours and then run 'gsp deal set DEAL owner=NAME'"
        }
        return nil
    }
}
