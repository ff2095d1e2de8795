import Foundation
import GSPCore
import GSPPostgres

/// The same rows as the store ingest, written straight into one table with "insert or
/// update if newer", one transaction per 1,000 changes: the reference the store is measured against.
enum RawPostgres {
    static let table = """
        CREATE TABLE raw_fields (tbl TEXT, rid TEXT, field TEXT, kind SMALLINT, ival BIGINT, tval BYTEA, hlc BIGINT, node TEXT,
            PRIMARY KEY (tbl, rid, field))
        """
    static let newer = """
        ON CONFLICT (tbl, rid, field) DO UPDATE SET kind = excluded.kind, ival = excluded.ival, tval = excluded.tval,
            hlc = excluded.hlc, node = excluded.node
        WHERE (excluded.hlc, excluded.node) > (raw_fields.hlc, raw_fields.node)
        """

    /// One multi-row INSERT of up to 1,000 rows per transaction (a statement may not touch a
    /// row twice, so each batch keeps the newest change per field, as a merge would).
    static func upserts(_ changes: [Change], on db: PostgresConnection) throws {
        try db.execute(table)
        for batch in batches(changes) {
            var sql = "INSERT INTO raw_fields VALUES "
            var parameters: [PostgresParameter] = []
            for (index, c) in batch.enumerated() {
                let p = index * 8
                sql += (index == 0 ? "" : ", ") + "($\(p + 1), $\(p + 2), $\(p + 3), $\(p + 4), $\(p + 5), $\(p + 6), $\(p + 7), $\(p + 8))"
                let (ival, tval) = columns(c.value)
                parameters += [.text(c.table), .text(c.row.lowercased), .text(c.field), .integer(Int64(c.value.kind.rawValue)),
                               ival.map(PostgresParameter.integer) ?? .null, tval.map(PostgresParameter.bytes) ?? .null,
                               .integer(Int64(bitPattern: c.hlc.rawValue)), .text(c.node.description)]
            }
            try db.transaction { try db.execute(sql + " " + newer, parameters) }
        }
    }

    /// COPY of each batch into a temporary table, then one upsert from it.
    static func copies(_ changes: [Change], on db: PostgresConnection) throws {
        try db.execute(table)
        try db.execute("CREATE TEMP TABLE raw_stage (tbl TEXT, rid TEXT, field TEXT, kind SMALLINT, ival BIGINT, tval BYTEA, hlc BIGINT, node TEXT)")
        for batch in batches(changes) {
            var rows = CopyRows(reservingCapacity: batch.count * 100)
            for c in batch {
                let (ival, tval) = columns(c.value)
                rows.text(c.table); rows.text(c.row.lowercased); rows.text(c.field); rows.integer(Int64(c.value.kind.rawValue))
                rows.integer(ival); rows.bytea(tval); rows.integer(Int64(bitPattern: c.hlc.rawValue)); rows.text(c.node.description)
                rows.endRow()
            }
            try db.transaction {
                try db.copyIn("COPY raw_stage FROM STDIN", rows)
                try db.execute("WITH moved AS (DELETE FROM raw_stage RETURNING *) INSERT INTO raw_fields SELECT * FROM moved " + newer)
            }
        }
    }

    /// Batches of 1,000 changes, each reduced to the newest change per field.
    static func batches(_ changes: [Change]) -> [[Change]] {
        stride(from: 0, to: changes.count, by: 1_000).map { start in
            var newest: [FieldKey: Change] = [:]
            for c in changes[start..<min(start + 1_000, changes.count)] {
                if let seen = newest[c.key], (seen.hlc, seen.node.description) >= (c.hlc, c.node.description) { continue }
                newest[c.key] = c
            }
            return Array(newest.values)
        }
    }

    static func columns(_ value: Value) -> (Int64?, [UInt8]?) {
        switch value {
        case .null: (nil, nil)
        case .integer(let v): (v, nil)
        case .money(let m): (m.minorUnits, Array(m.currency.utf8))
        case .real(let d): (Int64(bitPattern: d.bitPattern), nil)
        case .text(let t): (nil, Array(t.utf8))
        case .date(let d): (Int64(d.daysSinceEpoch), nil)
        case .bool(let b): (b ? 1 : 0, nil)
        }
    }
}
