import Foundation
import GSPCore
import GSPStore

/// What the scope rules need from a merge in progress, so every backend applies the same rules.
protocol ScopeLookup: AnyObject {
    var user: User { get }
    var intent: BatchIntent { get }
    /// Deals this push created: still the rep's to finish creating until an owner is set.
    var createdDeals: Set<String> { get }
    /// The deal's owner, nil when it has none or is unknown.
    func owner(of deal: String) throws -> String?
    /// The row's entry: nil when the server has never seen the row; `deal` nil when it belongs to none.
    func rowEntry(_ table: String, _ row: String) throws -> RowEntry?
    /// Whether `name` is a user of this server whose token is not revoked.
    func isActiveUser(_ name: String) throws -> Bool
}

extension ScopeLookup {
    /// Why a rep may not write this change, or nil when it is within their deals.
    func outOfScopeReason(_ change: Change) throws -> String? {
        let table = change.table, row = change.row.lowercased
        if Scope.sharedTables.contains(table) { return nil }
        if table == Scope.dealsTable {
            if try inScope(deal: row) { return nil }
            if let owner = try owner(of: row) { return "deal \(row) is owned by \(owner), not \(user.name)" }
            if try rowEntry(table, row) != nil { return "deal \(row) has no owner: only a manager can assign it" }
            return "a new deal must name you as its owner (set deals.owner to '\(user.name)')"
        }
        let stored = try rowEntry(table, row)
        if let deal = stored?.deal, !(try inScope(deal: deal)) {
            return "\(table) row \(row) belongs to deal \(deal), which is not yours"
        }
        let known = Schema.Table(rawValue: table) != nil
        if change.field == Scope.dealField {
            guard let target = Scope.dealReference(change.value) else {
                return known ? "\(table) row \(row) must keep a deal: \(table).deal cannot be cleared" : nil
            }
            return try inScope(deal: target) ? nil : "cannot put \(table) row \(row) under deal \(target), which is not yours"
        }
        if stored?.deal == nil {
            guard let target = intent.childDeals[BatchIntent.key(table, change.row)] else {
                // Rows of an unknown table that name no deal are kept for managers only.
                return known ? "\(table) row \(row) names no deal: send its deal field with it" : nil
            }
            if !(try inScope(deal: target)) { return "\(table) row \(row) names deal \(target), which is not yours" }
        }
        return nil
    }

    /// Why a rep may not hand a deal to the owner this change names, or nil: the new owner must be
    /// an active user, else the deal leaves the rep's replica for nobody's (a typo in a name).
    /// Managers may name anyone (an import may come before its reps are added).
    func handoverReason(_ change: Change) throws -> String? {
        guard change.table == Scope.dealsTable, change.field == Scope.ownerField,
              let owner = change.value.textValue, owner != user.name, !(try isActiveUser(owner)) else { return nil }
        return "cannot hand deal \(change.row.lowercased) to '\(owner)': no active user has that name (names are exact); "
            + "ask a manager for the right name"
    }

    /// A deal is the rep's when they own it, or when this push creates it with them as owner.
    func inScope(deal: String) throws -> Bool {
        if let owner = try owner(of: deal) { return owner == user.name }
        let isNew = try createdDeals.contains(deal) || rowEntry(Scope.dealsTable, deal) == nil
        return isNew && intent.dealOwners[deal]?.contains(user.name) == true
    }
}

extension MergeSession: ScopeLookup {

    func owner(of deal: String) throws -> String? {
        try findOwner.bind([.text(deal)])
        return try findOwner.step()?[0].text
    }

    func isActiveUser(_ name: String) throws -> Bool {
        try db.scalar("SELECT 1 FROM users WHERE name = ? AND revoked = 0", [.text(name)]) != nil
    }

    func rowEntry(_ table: String, _ row: String) throws -> RowEntry? {
        try findRow.bind([.text(table), .text(row)])
        guard let found = try findRow.step() else { return nil }
        return RowEntry(deal: found.isNull(0) ? nil : found.text(0))
    }

    /// Keeps the scope tables in step after `change` became its field's winner.
    func afterWin(_ change: Change, previous: Change?) throws {
        let table = change.table, row = change.row.lowercased
        // A field that already had a winner has its row registered: only a first winner can add one.
        if previous == nil {
            try insertRow.run([.text(table), .text(row), table == Scope.dealsTable ? .text(row) : .null])
            if table == Scope.dealsTable && db.changes == 1 { createdDeals.insert(row) }
        }
        if table == Scope.dealsTable, change.field == Scope.ownerField {
            let newOwner = change.value.textValue, oldOwner = try owner(of: row)
            guard newOwner != oldOwner else { return }
            try statement("INSERT OR REPLACE INTO deal_owners(deal, owner) VALUES (?, ?)").run([.text(row), newOwner.map(SQLValue.text) ?? .null])
            let family = try rows(statement("SELECT tbl, row FROM rows WHERE deal = ?"), [.text(row)]) { ($0.text(0), $0.text(1)) }
            if let oldOwner {
                for member in family { try logDrop(member.0, member.1, for: oldOwner) }
            }
            // Fresh seqs: the new owner's cursor is past the family's old ones.
            for member in family { try resequence(member.0, member.1) }
        } else if Scope.isChildTable(table), change.field == Scope.dealField {
            let newDeal = Scope.dealReference(change.value), oldDeal = try rowEntry(table, row)?.deal
            guard newDeal != oldDeal else { return }
            try statement("UPDATE rows SET deal = ? WHERE tbl = ? AND row = ?").run([newDeal.map(SQLValue.text) ?? .null, .text(table), .text(row)])
            let oldOwner = try oldDeal.flatMap(owner(of:)), newOwner = try newDeal.flatMap(owner(of:))
            if let oldOwner, oldOwner != newOwner { try logDrop(table, row, for: oldOwner) }
            try resequence(table, row)
        }
    }

    private func logDrop(_ table: String, _ row: String, for user: String) throws {
        try statement("INSERT INTO scope_log(seq, tbl, row, user) VALUES (?, ?, ?, ?)")
            .run([.integer(nextSeq()), .text(table), .text(row), .text(user)])
    }

    /// Every row `statement` yields for `arguments`, mapped; the statement is left reset.
    private func rows<T>(_ statement: Statement, _ arguments: [SQLValue], _ map: (Row) throws -> T) throws -> [T] {
        try statement.bind(arguments)
        defer { statement.reset() }
        var result: [T] = []
        while let row = try statement.step() { result.append(try map(row)) }
        return result
    }

    /// Gives every field of a row a new server sequence, so every pull sees the row again.
    private func resequence(_ table: String, _ row: String) throws {
        let fields = try rows(statement("SELECT field FROM fields WHERE tbl = ? AND row = ? ORDER BY seq"), [.text(table), .text(row)]) { $0.text(0) }
        let update = try statement("UPDATE fields SET seq = ? WHERE tbl = ? AND row = ? AND field = ?")
        for field in fields { try update.run([.integer(nextSeq()), .text(table), .text(row), .text(field)]) }
    }
}

/// A row the server has seen, and the deal it belongs to (nil: none).
struct RowEntry {
    var deal: String?
}
