import Foundation
import GSPCore
import GSPPostgres

// Each lookup below is written as `unnest(...) CROSS JOIN LATERAL (... LIMIT 1 / OFFSET 0)`: one
// index probe per pushed key. A plain join lets the planner hash the whole of `fields` or sort
// the whole of `history` for every push, a cost that grows with the database (measured: 20 ms
// a push at 20,000 fields, more with every push). LIMIT and OFFSET 0 keep the subquery from
// being flattened back into such a join.

extension PostgresMergeSession {
    /// Begins the transaction, takes the allocator's lock, and reads in the same round trip
    /// everything the merge of `changes` will ask about: winners and seen stamps, rows, owners,
    /// and the stored fields of rows that may change hands.
    ///
    /// The statements run in order, so every read starts after the lock is granted and, under
    /// READ COMMITTED, sees every merge committed before it.
    func preload(_ changes: [Change]) throws {
        let keys = Array(Set(changes.map(\.key)))
        let stamps = Array(Set(changes.map { Stamp(key: $0.key, hlc: $0.hlc, node: $0.node) }))

        // Rows the push names, the deals it refers to, and every row of the deals it writes
        // (their families, in case an owner changes).
        var deals = Set(intent.dealOwners.keys).union(intent.childDeals.values)
        for change in changes {
            if change.table == Scope.dealsTable { deals.insert(change.row.lowercased) }
            if change.field == Scope.dealField, let deal = Scope.dealReference(change.value) { deals.insert(deal) }
        }
        var wanted = Set(changes.map { RowKey(table: $0.table, row: $0.row.lowercased) })
        wanted.formUnion(deals.map { RowKey(table: Scope.dealsTable, row: $0) })
        let wantedList = Array(wanted), dealList = Array(deals)
        let familyDeals = Array(Set(changes.filter { $0.table == Scope.dealsTable }.map(\.row.lowercased)))

        var statements = [
            PostgresStatement("BEGIN"),
            PostgresStatement("SELECT last_seq FROM sequence_allocator WHERE id = 1 FOR UPDATE"),
            // Per pushed stamp: its field's winner and, when the history may hold that stamp, the
            // changes stored at its HLC by any node (its own: replays; others': twins, see
            // `isTwin`). Every stored change is at most its field's winner (the
            // winner is the greatest), so a stamp above the winner's HLC needs no history lookup:
            // for a fresh edit, the usual case, the history is not read. HLCs are compared as
            // signed bigints, so a winner's HLC with its top bit set always looks.
            PostgresStatement("""
                SELECT f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr,
                    s.hlc, s.node, h.kind, h.ival, h.tval, h.currency, h.node
                FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS s(tbl, rid, field, hlc, node)
                CROSS JOIN LATERAL (SELECT * FROM fields x WHERE x.tbl = s.tbl AND x.rid = s.rid AND x.field = s.field LIMIT 1) f
                LEFT JOIN LATERAL (SELECT x.kind, x.ival, x.tval, x.currency, x.node FROM history x
                                   WHERE (s.hlc <= f.hlc OR f.hlc < 0) AND x.tbl = s.tbl AND x.rid = s.rid AND x.field = s.field
                                   AND x.hlc = s.hlc OFFSET 0) h ON true
                """, [.textArray(stamps.map(\.key.table)), .textArray(stamps.map(\.key.row.lowercased)), .textArray(stamps.map(\.key.field)),
                      .integerArray(stamps.map { Int64(bitPattern: $0.hlc.rawValue) }), .textArray(Self.nodeTexts(stamps.map(\.node)))]),
            PostgresStatement("""
                SELECT r.tbl, r.rid, r.deal FROM unnest($1::text[], $2::text[]) AS w(tbl, rid)
                CROSS JOIN LATERAL (SELECT * FROM row_deals x WHERE x.tbl = w.tbl AND x.rid = w.rid LIMIT 1) r
                UNION
                SELECT r.tbl, r.rid, r.deal FROM unnest($3::text[]) AS d(deal)
                CROSS JOIN LATERAL (SELECT * FROM row_deals x WHERE x.deal = d.deal OFFSET 0) r
                """, [.textArray(wantedList.map(\.table)), .textArray(wantedList.map(\.row)), .textArray(familyDeals)]),
            // The deals named above and the deals of the rows named above (their owners decide scope).
            PostgresStatement("""
                SELECT o.deal, o.owner FROM (
                    SELECT unnest($1::text[])
                    UNION
                    SELECT r.deal FROM unnest($2::text[], $3::text[]) AS w(tbl, rid)
                    CROSS JOIN LATERAL (SELECT x.deal FROM row_deals x WHERE x.tbl = w.tbl AND x.rid = w.rid LIMIT 1) r
                ) AS d(deal)
                CROSS JOIN LATERAL (SELECT * FROM deal_owners x WHERE x.deal = d.deal LIMIT 1) o
                """, [.textArray(dealList), .textArray(wantedList.map(\.table)), .textArray(wantedList.map(\.row))]),
        ]
        let movers = storedFieldsStatement(changes)
        if let movers { statements.append(movers) }

        let results = try db.pipeline(statements)
        guard results[1].rowCount == 1 else {
            throw ServerStoreError("the database has no sequence allocator row: run 'gsp-server migrate --db URL'")
        }
        start(at: results[1].integer(0, 0))

        let found = results[2]
        winners.reserveCapacity(keys.count)
        seen.reserveCapacity(stamps.count)
        fieldWrites.reserveCapacity(keys.count)
        for key in keys { winners[key] = .some(nil) }
        for stamp in stamps { seen[stamp] = [] }
        for i in 0..<found.rowCount {
            let change = try found.change(i)
            winners[change.key] = (change, found.text(i, 10))
            storedKeys.insert(change.key)
            guard !found.isNull(i, 13), let node = found.uuid(i, 17).map(NodeID.init) else { continue }
            let hlc = HLC(sql: found.integer(i, 11)), value = try PostgresValueColumns.decode(found, i, 13)
            let stamp = Stamp(key: change.key, hlc: hlc, node: node)
            // Every node's changes at this HLC were read, so the list is complete for any of them.
            if !(seen[stamp]?.contains(value) ?? false) {
                seen[stamp, default: []].append(value)
                atHLC[TwinKey(key: change.key, hlc: hlc), default: []].append((node, value))
            }
        }

        let foundRows = results[3]
        for key in wanted { setRow(key, nil) }
        for i in 0..<foundRows.rowCount {
            let deal = foundRows.optionalText(i, 2)
            setRow(RowKey(table: foundRows.text(i, 0), row: foundRows.text(i, 1)), RowEntry(deal: deal))
            if let deal { deals.insert(deal) }
        }

        let foundOwners = results[4]
        for deal in deals { owners[deal] = .some(nil) }
        for i in 0..<foundOwners.rowCount { owners[foundOwners.text(i, 0)] = .some(foundOwners.optionalText(i, 1)) }

        if movers != nil {
            let stored = results[5]
            for i in 0..<stored.rowCount {
                let key = RowKey(table: stored.text(i, 0), row: stored.text(i, 1))
                let change = try stored.change(i)
                storedFields[key, default: []].append((change, stored.text(i, 10), stored.integer(i, 11)))
                storedKeys.insert(change.key)
            }
        }
    }

    /// The text of each node, made once per node (a push's stamps share one or a few).
    private static func nodeTexts(_ nodes: [NodeID]) -> [String] {
        var texts: [NodeID: String] = [:]
        return nodes.map { node in
            if let text = texts[node] { return text }
            let text = node.description
            texts[node] = text
            return text
        }
    }

    /// Reads the stored fields of every row whose deal or owner this push may change (a
    /// resequence needs them all), or nil when no change of the push could move a row.
    ///
    /// Conservative: a deal counts when any pushed owner differs from the stored one, a child row
    /// when any pushed deal differs from its stored deal; whether the change wins is not asked.
    private func storedFieldsStatement(_ changes: [Change]) -> PostgresStatement? {
        var ownerDeals: [String] = [], ownerValues: [String?] = []
        var moverTables: [String] = [], moverRows: [String] = [], moverDeals: [String?] = []
        for change in changes {
            if change.table == Scope.dealsTable, change.field == Scope.ownerField {
                ownerDeals.append(change.row.lowercased)
                ownerValues.append(change.value.textValue)
            } else if Scope.isChildTable(change.table), change.field == Scope.dealField {
                moverTables.append(change.table)
                moverRows.append(change.row.lowercased)
                moverDeals.append(Scope.dealReference(change.value))
            }
        }
        guard !ownerDeals.isEmpty || !moverTables.isEmpty else { return nil }
        return PostgresStatement("""
            SELECT f.tbl, f.rid, f.field, f.kind, f.ival, f.tval, f.currency, f.hlc, f.node, f.prev, f.usr, f.seq FROM (
                SELECT r.tbl, r.rid FROM unnest($1::text[], $2::text[]) AS p(deal, owner)
                CROSS JOIN LATERAL (SELECT x.tbl, x.rid FROM row_deals x WHERE x.deal = p.deal OFFSET 0) r
                WHERE p.owner IS DISTINCT FROM (SELECT o.owner FROM deal_owners o WHERE o.deal = p.deal)
                UNION
                SELECT m.tbl, m.rid FROM unnest($3::text[], $4::text[], $5::text[]) AS m(tbl, rid, deal)
                WHERE EXISTS (SELECT 1 FROM row_deals x WHERE x.tbl = m.tbl AND x.rid = m.rid AND x.deal IS DISTINCT FROM m.deal)
            ) AS moving
            CROSS JOIN LATERAL (SELECT * FROM fields x WHERE x.tbl = moving.tbl AND x.rid = moving.rid OFFSET 0) f
            ORDER BY f.tbl, f.rid, f.seq
            """, [.textArray(ownerDeals), .optionalTextArray(ownerValues),
                  .textArray(moverTables), .textArray(moverRows), .optionalTextArray(moverDeals)])
    }
}
