import Foundation

/// The Sendable front of one connection: every access runs under a lock, one at a time.
// @unchecked: `database` is only touched while `lock` is held, and never escapes `body`.
public final class DatabaseQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let database: Database
    public let path: String

    public init(path: String, create: Bool = true) throws(DatabaseError) {
        database = try Database(path: path, create: create)
        self.path = path
    }

    /// Runs `body` with exclusive use of the connection.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(database)
    }

    /// Runs `body` in one transaction with exclusive use of the connection.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try database.transaction { try body(database) }
    }
}
