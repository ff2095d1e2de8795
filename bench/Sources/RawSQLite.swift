import Foundation
import GSPStore

/// The physical limits the product is compared with: plain SQL on the same SQLite build.
enum RawSQLite {
    /// Inserts of one small row per transaction (WAL, synchronous=NORMAL), rows/s.
    static func singleRowTransactions(bench: Bench, rows: Int) throws -> Double {
        let seconds = try bench.median(setup: { try scratch() }) { (db: Database) in
            let insert = try db.prepare("INSERT INTO f (tbl, row, field, value, hlc, node) VALUES ('deals', ?, 'title', ?, ?, ?)")
            for i in 0..<rows {
                try db.execute("BEGIN")
                try insert.run([.blob(rowID(i)), .text("title \(i)"), .integer(Int64(i)), .blob(node)])
                try db.execute("COMMIT")
            }
        }
        return Double(rows) / seconds
    }

    /// "Insert or update if newer" of many rows in one transaction, rows/s.
    static func batchedUpserts(bench: Bench, rows: Int) throws -> Double {
        let seconds = try bench.median(setup: { try scratch() }) { (db: Database) in
            let upsert = try db.prepare("""
                INSERT INTO f (tbl, row, field, value, hlc, node) VALUES ('deals', ?, 'title', ?, ?, ?)
                ON CONFLICT (tbl, row, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, node = excluded.node
                WHERE excluded.hlc > f.hlc
                """)
            try db.transaction {
                for i in 0..<rows { try upsert.run([.blob(rowID(i)), .text("title \(i)"), .integer(Int64(i)), .blob(node)]) }
            }
        }
        return Double(rows) / seconds
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
