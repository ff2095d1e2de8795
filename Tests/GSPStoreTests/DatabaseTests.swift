import Foundation
import Testing
import GSPStore
import GSPTestSupport

@Suite struct DatabaseTests {
    @Test func storesTextLiterallyWithSQLMetacharactersAndNULs() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (v TEXT)")
        let samples = ["", "'; DROP TABLE t; --", "a\u{0}b", "👩‍👩‍👧 שלום ñ", String(repeating: "x", count: 100_000)]
        for s in samples { try db.run("INSERT INTO t VALUES (?)", [.text(s)]) }
        let back = try db.query("SELECT v FROM t ORDER BY rowid") { $0.text(0) }
        #expect(back == samples)
    }

    @Test func failedTransactionChangesNothing() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (v INTEGER UNIQUE)")
        #expect(throws: DatabaseError.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (1)")
                try db.run("INSERT INTO t VALUES (1)")
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM t")?.integer == 0)
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.path("t.sqlite"))
        do {
            try db.run("SELECT * FROM missing_table")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == 1)
            #expect(error.message.contains("missing_table"))
            #expect(error.sql == "SELECT * FROM missing_table")
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("junk.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: DatabaseError.self) {
            let db = try Database(path: path)
            _ = try db.scalar("SELECT count(*) FROM sqlite_master")
        }
    }

    @Test func blobsAndExtremeIntegersRoundTrip() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (i INTEGER, b BLOB)")
        try db.run("INSERT INTO t VALUES (?, ?)", [.integer(.min), .blob([0, 255, 0])])
        try db.run("INSERT INTO t VALUES (?, ?)", [.integer(.max), .blob([])])
        let rows = try db.query("SELECT i, b FROM t ORDER BY rowid") { ($0.integer(0), $0.blob(1)) }
        #expect(rows.map(\.0) == [.min, .max])
        #expect(rows.map(\.1) == [[0, 255, 0], []])
    }
}
