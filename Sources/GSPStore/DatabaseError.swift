/// A SQLite failure: the result code, the extended code, SQLite's message and the SQL.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The disk or the file system is full (SQLITE_FULL).
    public var isDiskFull: Bool { code == 13 }
    /// Another connection holds a lock (SQLITE_BUSY / SQLITE_LOCKED).
    public var isBusy: Bool { code == 5 || code == 6 }
    /// The file is not a database or is damaged (SQLITE_NOTADB / SQLITE_CORRUPT).
    public var isNotADatabase: Bool { code == 26 || code == 11 }
    /// The file, or its folder (where the -wal and -shm files go), may not be written (SQLITE_READONLY).
    public var isReadOnly: Bool { code == 8 }
    /// A UNIQUE, CHECK or other constraint failed.
    public var isConstraint: Bool { code == 19 }

    public var description: String {
        var text = "SQLite error \(code) (extended \(extendedCode)): \(message)"
        if isDiskFull { text += " — the disk is full: free some space and retry; nothing was changed" }
        if isReadOnly { text += " — the file is read-only (or its folder is, where the -wal and -shm files go): make both writable and retry; nothing was changed" }
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }
}
