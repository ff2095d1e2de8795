import Foundation
import GSPCore
import GSPPostgres

extension PostgresMergeSession {
    func owner(of deal: String) throws -> String? {
        if let cached = owners[deal] { return cached }
        let found = try db.execute("SELECT owner FROM deal_owners WHERE deal = $1", [.text(deal)])
        let owner = found.rowCount == 0 ? nil : found.optionalText(0, 0)
        owners[deal] = .some(owner)
        return owner
    }

    func isActiveUser(_ name: String) throws -> Bool {
        try db.execute("SELECT 1 FROM users WHERE name = $1 AND NOT revoked", [.text(name)]).rowCount > 0
    }

    func rowEntry(_ table: String, _ row: String) throws -> RowEntry? {
        let key = RowKey(table: table, row: row)
        if let cached = rows[key] { return cached }
        let found = try db.execute("SELECT deal FROM row_deals WHERE tbl = $1 AND rid = $2", [.text(table), .text(row)])
        let entry = found.rowCount == 0 ? nil : RowEntry(deal: found.optionalText(0, 0))
        setRow(key, entry)
        return entry
    }

    /// Keeps the scope tables in step after `change` became its field's winner (as SQLite's `afterWin`).
    func afterWin(_ change: Change, previous: Change?) throws {
        let table = change.table, row = change.row.lowercased, key = RowKey(table: table, row: row)
        if try rowEntry(table, row) == nil {
            setRow(key, RowEntry(deal: table == Scope.dealsTable ? row : nil))
            pendingRows.insert(key)
            if table == Scope.dealsTable { createdDeals.insert(row) }
        }
        if table == Scope.dealsTable, change.field == Scope.ownerField {
            let newOwner = change.value.textValue, oldOwner = try owner(of: row)
            guard newOwner != oldOwner else { return }
            owners[row] = .some(newOwner)
            pendingOwners[row] = .some(newOwner)
            // The preload read every stored row of the deals this push writes, so the cache holds the whole family.
            let family = (families[row] ?? []).sorted { ($0.table, $0.row) < ($1.table, $1.row) }
            if let oldOwner {
                for member in family { logDrop(member, for: oldOwner) }
            }
            // Fresh seqs: the new owner's cursor is past the family's old ones.
            for member in family { try resequence(member) }
        } else if Scope.isChildTable(table), change.field == Scope.dealField {
            let newDeal = Scope.dealReference(change.value), oldDeal = try rowEntry(table, row)?.deal
            guard newDeal != oldDeal else { return }
            setRow(key, RowEntry(deal: newDeal))
            if !pendingRows.contains(key) { movedRows[key] = .some(newDeal) }
            let oldOwner = try oldDeal.flatMap(owner(of:)), newOwner = try newDeal.flatMap(owner(of:))
            if let oldOwner, oldOwner != newOwner { logDrop(key, for: oldOwner) }
            try resequence(key)
        }
    }

    private func logDrop(_ key: RowKey, for user: String) {
        scopeLog.append((nextSeq(), key, user))
    }

    /// Gives every field of a row a new server sequence, in the order of their old ones.
    /// The row's stored fields join the in-memory writes, which `commit` writes with the rest.
    private func resequence(_ key: RowKey) throws {
        if !pendingRows.contains(key) && !rowsInMemory.contains(key) {
            for stored in try storedFields(of: key) {
                guard fieldWrites[stored.change.key] == nil else { continue }  // a newer write of this push is already here
                winners[stored.change.key] = (stored.change, stored.user)
                fieldWrites[stored.change.key] = stored
                writesByRow[key, default: []].insert(stored.change.key)
            }
            rowsInMemory.insert(key)
        }
        let mine = (writesByRow[key] ?? []).compactMap { field in fieldWrites[field].map { (field, $0) } }.sorted { $0.1.seq < $1.1.seq }
        for (field, write) in mine { fieldWrites[field] = (write.change, write.user, nextSeq()) }
    }

    /// The row's stored fields in seq order: read up front by `preload` when the push could move
    /// the row, otherwise read now (one query).
    private func storedFields(of key: RowKey) throws -> [(change: Change, user: String, seq: Int64)] {
        if let cached = storedFields[key] { return cached }
        let stored = try db.execute("""
            SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq FROM fields
            WHERE tbl = $1 AND rid = $2 ORDER BY seq
            """, [.text(key.table), .text(key.row)])
        let fields = try (0..<stored.rowCount).map { (change: try stored.change($0), user: stored.text($0, 10), seq: stored.integer($0, 11)) }
        storedKeys.formUnion(fields.map(\.change.key))
        return fields
    }

    /// Writes everything buffered, records the last sequence handed out, runs `then` (the
    /// acknowledgement) and commits, in one round trip; throws unless the commit succeeded.
    /// A push with nothing valid opened no transaction: `then` runs on its own.
    func commit(then: [PostgresStatement]) throws {
        guard inTransaction else {
            try db.pipeline(then)
            return
        }
        var statements: [PostgresStatement] = []
        if !history.isEmpty {
            statements.append(PostgresStatement("""
                INSERT INTO history(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, winner, received)
                SELECT *, $13::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::bytea[],
                    $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::text[], $12::boolean[])
                """, history.parameters + [.boolArray(historyWinners), .integer(now)]))
        }
        if !conflicts.isEmpty { statements.append(conflicts.statement(detected: now)) }
        if !scopeLog.isEmpty {
            statements.append(PostgresStatement("INSERT INTO scope_log(seq, tbl, rid, usr) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])",
                                                [.integerArray(scopeLog.map(\.seq)), .textArray(scopeLog.map(\.key.table)),
                                                 .textArray(scopeLog.map(\.key.row)), .textArray(scopeLog.map(\.user))]))
        }
        // Keys new to `fields` take a plain INSERT, cheaper than an upsert's conflict check and
        // update path; the rest are upserted. Both are exact: the allocator's lock keeps every
        // other merge out until commit.
        var newFields = PostgresFieldArrays(), storedFieldWrites = PostgresFieldArrays()
        for (key, write) in fieldWrites {
            if storedKeys.contains(key) { storedFieldWrites.append(write) } else { newFields.append(write) }
        }
        if !newFields.isEmpty {
            statements.append(PostgresStatement("""
                INSERT INTO fields(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::bytea[],
                    $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::text[], $12::bigint[])
                """, newFields.parameters))
        }
        if !storedFieldWrites.isEmpty {
            statements.append(PostgresStatement("""
                INSERT INTO fields(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::bytea[],
                    $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::text[], $12::bigint[])
                ON CONFLICT (tbl, rid, field) DO UPDATE SET kind = excluded.kind, ival = excluded.ival, tval = excluded.tval,
                    currency = excluded.currency, hlc = excluded.hlc, node = excluded.node, prev = excluded.prev,
                    usr = excluded.usr, seq = excluded.seq
                """, storedFieldWrites.parameters))
        }
        if !pendingRows.isEmpty {
            let created = Array(pendingRows)
            statements.append(PostgresStatement("""
                INSERT INTO row_deals(tbl, rid, deal) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                """, [.textArray(created.map(\.table)), .textArray(created.map(\.row)), .optionalTextArray(created.map { rows[$0] ?? nil }.map { $0?.deal })]))
        }
        if !movedRows.isEmpty {
            let moved = Array(movedRows)
            statements.append(PostgresStatement("""
                UPDATE row_deals r SET deal = m.deal FROM unnest($1::text[], $2::text[], $3::text[]) AS m(tbl, rid, deal)
                WHERE r.tbl = m.tbl AND r.rid = m.rid
                """, [.textArray(moved.map(\.key.table)), .textArray(moved.map(\.key.row)), .optionalTextArray(moved.map { $0.value })]))
        }
        if !pendingOwners.isEmpty {
            let deals = Array(pendingOwners.keys)
            statements.append(PostgresStatement("""
                INSERT INTO deal_owners(deal, owner) SELECT * FROM unnest($1::text[], $2::text[])
                ON CONFLICT (deal) DO UPDATE SET owner = excluded.owner
                """, [.textArray(deals), .optionalTextArray(deals.map { pendingOwners[$0] ?? nil })]))
        }
        if seq != startSeq {
            statements.append(PostgresStatement("UPDATE sequence_allocator SET last_seq = $1 WHERE id = 1", [.integer(seq)]))
        }
        statements += then
        statements.append(PostgresStatement("COMMIT"))
        try db.pipeline(statements)
        inTransaction = false
    }
}

/// Field writes as parallel arrays for one multi-row statement: the change, its writer, its seq.
struct PostgresFieldArrays {
    private var changes = PostgresChangeArrays()
    private var seqs: [Int64] = []

    var isEmpty: Bool { seqs.isEmpty }

    mutating func append(_ write: (change: Change, user: String, seq: Int64)) {
        changes.append(write.change, user: write.user)
        seqs.append(write.seq)
    }

    var parameters: [PostgresParameter] { changes.parameters + [.integerArray(seqs)] }
}
