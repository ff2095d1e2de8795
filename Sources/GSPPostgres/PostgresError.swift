/// A PostgreSQL failure: the SQLSTATE code, the server's (or libpq's) message and the SQL.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, or nil when libpq failed before the server answered.
    public let sqlState: String?
    public let message: String
    public let sql: String?
    /// True when the connection itself failed (refused, dropped, server shutting down).
    public let isConnectionFailure: Bool

    public init(sqlState: String?, message: String, sql: String?, isConnectionFailure: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
        // Class 08 is connection exceptions; 57P01-57P03 are shutdowns and a server not yet accepting.
        let lost = sqlState.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains($0) } ?? false
        self.isConnectionFailure = isConnectionFailure || lost
    }

    /// A unique or primary key violation (23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// A serialization failure or deadlock: the transaction may simply be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        var text = "PostgreSQL error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if isConnectionFailure { text += " (the database connection failed: check that PostgreSQL is running and reachable)" }
        if let sql { text += " [SQL: \(sql.count > 300 ? String(sql.prefix(300)) + "..." : sql)]" }
        return text
    }
}
