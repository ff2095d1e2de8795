import Foundation
import GSPCore
import GSPStore

/// The physical limits the product is compared with: plain SQL on the same SQLite build.
enum RawSQLite {
    /// Inserts of one small row per transaction (WAL), rows/s.
    static func singleRowTransactions(bench: Bench, rows: Int, synchronous: String = "NORMAL") throws -> Double {
        let seconds = try bench.median(setup: { () throws -> Database in
            let db = try scratch()
            try db.execute("PRAGMA synchronous=\(synchronous)")
            return db
        }) { (db: Database) in
            let insert = try db.prepare("INSERT INTO f (tbl, row, field, value, hlc, node) VALUES ('deals', ?, 'title', ?, ?, ?)")
            for i in 0..<rows {
                try db.execute("BEGIN")
                try insert.run([.blob(rowID(i)), .text("title \(i)"), .integer(Int64(i)), .blob(node)])
                try db.execute("COMMIT")
            }
        }
        return Double(rows) / seconds
    }

    /// "Insert or update if newer" of many rows, `batch` per transaction, rows/s.
    static func batchedUpserts(bench: Bench, rows: Int, batch: Int, synchronous: String = "NORMAL") throws -> Double {
        let seconds = try bench.median(setup: { () throws -> Database in
            let db = try scratch()
            try db.execute("PRAGMA synchronous=\(synchronous)")
            return db
        }) { (db: Database) in
            let upsert = try db.prepare("""
                INSERT INTO f (tbl, row, field, value, hlc, node) VALUES ('deals', ?, 'title', ?, ?, ?)
                ON CONFLICT (tbl, row, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, node = excluded.node
                WHERE excluded.hlc > f.hlc
                """)
            for start in stride(from: 0, to: rows, by: batch) {
                try db.transaction {
                    for i in start..<min(start + batch, rows) {
                        try upsert.run([.blob(rowID(i)), .text("title \(i)"), .integer(Int64(i)), .blob(node)])
                    }
                }
            }
        }
        return Double(rows) / seconds
    }

    /// The server store's job done in plain SQL: upsert-if-newer of the same changes, with the
    /// store's column types and durability (WAL, synchronous=FULL), `batch` per transaction. Rows/s.
    static func upserts(_ changes: [Change], batch: Int, bench: Bench, runs: Int) throws -> Double {
        let seconds = try bench.median(runs: runs, setup: { () throws -> Database in
            let db = try scratch()
            try db.execute("PRAGMA synchronous=FULL")
            return db
        }) { (db: Database) in
            let upsert = try db.prepare("""
                INSERT INTO f (tbl, row, field, value, hlc, node) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (tbl, row, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, node = excluded.node
                WHERE excluded.hlc > f.hlc OR (excluded.hlc = f.hlc AND excluded.node > f.node)
                """)
            for start in stride(from: 0, to: changes.count, by: batch) {
                try db.transaction {
                    for c in changes[start..<min(start + batch, changes.count)] {
                        try upsert.run([.text(c.table), .text(c.row.lowercased), .text(c.field), sqlValue(c.value),
                                        .integer(Int64(bitPattern: c.hlc.rawValue)), .text(c.node.description)])
                    }
                }
            }
            let rows = try db.scalar("SELECT count(*) FROM f")?.integer ?? 0
            try verify(rows == Int64(Set(changes.map(\.key)).count), "raw upsert stored \(rows) fields")
        }
        return Double(changes.count) / seconds
    }

    /// Plain inserts of the same changes (a replica applying a pulled page), `batch` per transaction. Rows/s.
    static func inserts(_ changes: [Change], batch: Int, bench: Bench, runs: Int) throws -> Double {
        let seconds = try bench.median(runs: runs, setup: { try scratch() }) { (db: Database) in
            let insert = try db.prepare("INSERT INTO f (tbl, row, field, value, hlc, node) VALUES (?, ?, ?, ?, ?, ?)")
            for start in stride(from: 0, to: changes.count, by: batch) {
                try db.transaction {
                    for c in changes[start..<min(start + batch, changes.count)] {
                        try insert.run([.text(c.table), .text(c.row.lowercased), .text(c.field), sqlValue(c.value),
                                        .integer(Int64(bitPattern: c.hlc.rawValue)), .text(c.node.description)])
                    }
                }
            }
            let rows = try db.scalar("SELECT count(*) FROM f")?.integer ?? 0
            try verify(rows == Int64(changes.count), "raw insert stored \(rows) rows of \(changes.count)")
        }
        return Double(changes.count) / seconds
    }

    static func sqlValue(_ value: Value) -> SQLValue {
        switch value {
        case .null: .null
        case .integer(let i): .integer(i)
        case .money(let m): .integer(m.minorUnits)
        case .real(let d): .real(d)
        case .text(let t): .text(t)
        case .date(let d): .integer(Int64(d.daysSinceEpoch))
        case .bool(let b): .integer(b ? 1 : 0)
        }
    }

    static let node: [UInt8] = Array(repeating: 7, count: 16)

    static func rowID(_ i: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) } + Array(repeating: 1, count: 8)
    }

    static func scratch() throws -> Database {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-raw-\(UUID().uuidString).sqlite").path
        let db = try Database(path: path)
        try db.execute("""
            PRAGMA synchronous=NORMAL;
            CREATE TABLE f (tbl TEXT, row BLOB, field TEXT, value, hlc INTEGER, node BLOB, PRIMARY KEY (tbl, row, field));
            """)
        return db
    }
}
