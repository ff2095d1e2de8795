@preconcurrency import CSQLite
import Foundation

/// One SQLite connection. Not Sendable: own it from one thread, or go through `DatabaseQueue`.
public final class Database {
    let handle: OpaquePointer
    public let path: String

    /// Opens (creating when asked) a database file in WAL mode with foreign keys on.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws(DatabaseError) {
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            // A failed open can still allocate a handle: close it before throwing.
            sqlite3_close_v2(db)
            throw DatabaseError(code: rc, extendedCode: rc, message: "\(message) (\(path))", sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
        if !readOnly && path != ":memory:" {
            try execute("PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    /// True when SQLite opened the file read-only although writing was asked for (the file's
    /// permissions forbid it): every write would fail with SQLITE_READONLY.
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// BEGIN IMMEDIATE, COMMIT and ROLLBACK, prepared once: a transaction per edit would
    /// otherwise parse two statements every time.
    private var transactionControl: [OpaquePointer?] = []

    deinit {
        // Finalized first: close_v2 would otherwise keep the connection open as a zombie.
        for statement in transactionControl { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(DatabaseError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw DatabaseError(code: rc & 0xFF, extendedCode: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Prepares a statement for repeated use.
    public func prepare(_ sql: String) throws(DatabaseError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs one statement with arguments, returning no rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(DatabaseError) {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        try statement.run()
    }

    /// Runs a query and maps every row.
    public func query<T>(_ sql: String, _ arguments: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var result: [T] = []
        while let row = try statement.step() { result.append(try map(row)) }
        return result
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws(DatabaseError) -> SQLValue? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard let row = try statement.step() else { return nil }
        return row[0]
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// `IMMEDIATE` takes the write lock at the start, so two writers never deadlock on upgrade.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try control(0)
        do {
            let result = try body()
            try control(1)
            return result
        } catch {
            try? control(2)
            throw error
        }
    }

    /// Runs `body` in one read transaction: every query in it sees the same committed state,
    /// however many commits other connections make meanwhile (WAL snapshot isolation).
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }

    private static let controlSQL = ["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"]

    /// Runs one of the prepared transaction statements (0 begin, 1 commit, 2 rollback).
    private func control(_ index: Int) throws(DatabaseError) {
        if transactionControl.isEmpty {
            for sql in Self.controlSQL {
                var statement: OpaquePointer?
                let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
                guard rc == SQLITE_OK else {
                    for prepared in transactionControl { sqlite3_finalize(prepared) }
                    transactionControl = []
                    throw error(rc, sql: sql)
                }
                transactionControl.append(statement)
            }
        }
        let statement = transactionControl[index]
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE else {
            let failure = error(rc, sql: Self.controlSQL[index])
            sqlite3_reset(statement)
            throw failure
        }
        sqlite3_reset(statement)
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    /// Whether a transaction is open (SQLite may roll one back by itself, on a full disk for one).
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(_ rc: Int32, sql: String?) -> DatabaseError {
        DatabaseError(code: rc & 0xFF, extendedCode: sqlite3_extended_errcode(handle),
                      message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

@available(*, unavailable)
extension Database: Sendable {}
