@preconcurrency import CSQLite

/// A value as SQLite stores it.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let v) = self { v } else { nil } }
    public var real: Double? { if case .real(let v) = self { v } else { nil } }
    public var blob: [UInt8]? {
        switch self {
        case .blob(let v): v
        case .null: nil
        default: nil
        }
    }
}

/// A prepared statement; finalized when released. Belongs to its connection's thread.
public final class Statement {
    let handle: OpaquePointer
    let database: Database
    public let sql: String

    init(database: Database, sql: String) throws(DatabaseError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw database.error(rc, sql: sql) }
        handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Ends a stepping that was not run to completion, releasing the read snapshot it holds.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Resets the statement and binds positional arguments (1-based in SQL, in order here).
    public func bind(_ arguments: [SQLValue]) throws(DatabaseError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in arguments.enumerated() {
            let i = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, i)
            case .integer(let v): rc = sqlite3_bind_int64(handle, i, v)
            case .real(let v): rc = sqlite3_bind_double(handle, i, v)
            case .text(let v):
                var v = v
                rc = v.isEmpty ? csqlite_bind_text_transient(handle, i, "", 0) : v.withUTF8 { buffer in
                    // Bound with an explicit length: embedded NULs are kept, never truncated.
                    buffer.withMemoryRebound(to: CChar.self) { csqlite_bind_text_transient(handle, i, $0.baseAddress!, Int32($0.count)) }
                }
            case .blob(let v):
                rc = v.withUnsafeBytes { csqlite_bind_blob_transient(handle, i, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
        }
    }

    /// Steps to the next row; nil when done.
    public func step() throws(DatabaseError) -> Row? {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return Row(statement: self)
        case SQLITE_DONE: return nil
        default: throw database.error(rc, sql: sql)
        }
    }

    /// Runs to completion, ignoring rows.
    public func run() throws(DatabaseError) {
        while try step() != nil {}
    }

    /// Binds and runs in one call.
    public func run(_ arguments: [SQLValue]) throws(DatabaseError) {
        try bind(arguments)
        try run()
    }
}

@available(*, unavailable)
extension Statement: Sendable {}

/// The current row of a stepping statement; valid until the next step.
public struct Row {
    let statement: Statement

    public var count: Int { Int(sqlite3_column_count(statement.handle)) }

    public subscript(_ index: Int) -> SQLValue {
        let h = statement.handle, i = Int32(index)
        switch sqlite3_column_type(h, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(h, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(h, i))
        case SQLITE_TEXT:
            let n = Int(sqlite3_column_bytes(h, i))
            guard let p = sqlite3_column_text(h, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(h, i))
            guard n > 0, let p = sqlite3_column_blob(h, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    public func integer(_ index: Int) -> Int64 { sqlite3_column_int64(statement.handle, Int32(index)) }
    public func text(_ index: Int) -> String { self[index].text ?? "" }
    public func blob(_ index: Int) -> [UInt8] { self[index].blob ?? [] }
    public func isNull(_ index: Int) -> Bool { sqlite3_column_type(statement.handle, Int32(index)) == SQLITE_NULL }
}
