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
            if !pendingRows.contains(key) {
                try db.execute("UPDATE row_deals SET deal = $1 WHERE tbl = $2 AND rid = $3", [.optional(newDeal), .text(table), .text(row)])
            }
            let oldOwner = try oldDeal.flatMap(owner(of:)), newOwner = try newDeal.flatMap(owner(of:))
            if let oldOwner, oldOwner != newOwner { logDrop(key, for: oldOwner) }
            try resequence(key)
        }
    }

    private func logDrop(_ key: RowKey, for user: String) {
        scopeLog.integer(nextSeq()); scopeLog.text(key.table); scopeLog.text(key.row); scopeLog.text(user)
        scopeLog.endRow()
    }

    /// Gives every field of a row a new server sequence, in the order of their old ones.
    /// The row's stored fields are read once and join the in-memory writes, so no flush is needed.
    private func resequence(_ key: RowKey) throws {
        if !pendingRows.contains(key) && !rowsInMemory.contains(key) {
            let stored = try db.execute("""
                SELECT tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, seq FROM fields
                WHERE tbl = $1 AND rid = $2 ORDER BY seq
                """, [.text(key.table), .text(key.row)])
            for i in 0..<stored.rowCount {
                let change = try stored.change(i)
                guard fieldWrites[change.key] == nil else { continue }  // a newer write of this push is already here
                winners[change.key] = (change, stored.text(i, 10))
                fieldWrites[change.key] = (change, stored.text(i, 10), stored.integer(i, 11))
                writesByRow[key, default: []].insert(change.key)
            }
            rowsInMemory.insert(key)
        }
        let mine = (writesByRow[key] ?? []).compactMap { field in fieldWrites[field].map { (field, $0) } }.sorted { $0.1.seq < $1.1.seq }
        for (field, write) in mine { fieldWrites[field] = (write.change, write.user, nextSeq()) }
    }

    /// Writes everything buffered: COPY for appends, a staging table and one upsert for fields.
    func flush() throws {
        if !history.isEmpty {
            try db.copyIn("COPY history(tbl, rid, field, kind, ival, tval, currency, hlc, node, prev, usr, received, winner) FROM STDIN", history)
            history = CopyRows()
        }
        if !conflicts.isEmpty {
            try db.copyIn("""
                COPY conflicts(tbl, rid, field, win_kind, win_ival, win_tval, win_currency, win_hlc, win_node, win_usr,
                               lose_kind, lose_ival, lose_tval, lose_currency, lose_hlc, lose_node, lose_usr, detected) FROM STDIN
                """, conflicts)
            conflicts = CopyRows()
        }
        if !scopeLog.isEmpty {
            try db.copyIn("COPY scope_log(seq, tbl, rid, usr) FROM STDIN", scopeLog)
            scopeLog = CopyRows()
        }
        if !fieldWrites.isEmpty {
            var staged = CopyRows(reservingCapacity: fieldWrites.count * 120)
            for (_, write) in fieldWrites {
                let change = write.change
                staged.text(change.table); staged.text(change.row.lowercased); staged.text(change.field)
                PostgresValueColumns(change.value).write(to: &staged)
                staged.integer(Int64(bitPattern: change.hlc.rawValue)); staged.text(change.node.description)
                staged.integer(Int64(bitPattern: change.prev.rawValue)); staged.text(write.user); staged.integer(write.seq)
                staged.endRow()
            }
            try db.copyIn("COPY stage_fields FROM STDIN", staged)
            try db.execute("""
                WITH moved AS (DELETE FROM stage_fields RETURNING *)
                INSERT INTO fields SELECT * FROM moved
                ON CONFLICT (tbl, rid, field) DO UPDATE SET kind = excluded.kind, ival = excluded.ival, tval = excluded.tval,
                    currency = excluded.currency, hlc = excluded.hlc, node = excluded.node, prev = excluded.prev,
                    usr = excluded.usr, seq = excluded.seq
                """)
            fieldWrites = [:]
            writesByRow = [:]
            rowsInMemory = []
        }
        if !pendingRows.isEmpty {
            var staged = CopyRows()
            for key in pendingRows {
                staged.text(key.table); staged.text(key.row); staged.text(rows[key]??.deal)
                staged.endRow()
            }
            try db.copyIn("COPY stage_rows FROM STDIN", staged)
            try db.execute("WITH moved AS (DELETE FROM stage_rows RETURNING *) INSERT INTO row_deals SELECT * FROM moved ON CONFLICT DO NOTHING")
            pendingRows = []
        }
        if !pendingOwners.isEmpty {
            let deals = Array(pendingOwners.keys)
            try db.execute("""
                INSERT INTO deal_owners(deal, owner) SELECT * FROM unnest($1::text[], $2::text[])
                ON CONFLICT (deal) DO UPDATE SET owner = excluded.owner
                """, [.textArray(deals), .optionalTextArray(deals.map { pendingOwners[$0] ?? nil })])
            pendingOwners = [:]
        }
    }

    /// Flushes and records the last sequence handed out.
    func finish() throws {
        try flush()
        if seq != startSeq {
            try db.execute("UPDATE sequence_allocator SET last_seq = $1 WHERE id = 1", [.integer(seq)])
        }
    }
}
