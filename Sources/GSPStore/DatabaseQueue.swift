import Foundation

/// The Sendable front of one database file: one writer connection, used one caller at a time
/// in arrival order, and a few read-only connections for snapshot reads, which in WAL mode
/// run beside the writer instead of queueing behind it.
// @unchecked: `writer` is only touched while `writerLock` is held, `idleReaders` under
// `poolLock`, and a reader only by the caller that took it from the pool; none escapes `body`.
public final class DatabaseQueue: @unchecked Sendable {
    private let writerLock = FairLock()
    private let group = GroupCommit()
    private let writer: Database
    public let path: String
    private let readerSlots: DispatchSemaphore
    private let poolLock = NSLock()
    private var idleReaders: [Database] = []
    private let maxReaders: Int

    /// `readers`: how many snapshot reads may run at once beside the writer (0 sends them to the writer).
    public init(path: String, create: Bool = true, readers: Int = 4) throws(DatabaseError) {
        writer = try Database(path: path, create: create)
        self.path = path
        maxReaders = max(0, readers)
        readerSlots = DispatchSemaphore(value: maxReaders)
    }

    /// Runs `body` with exclusive use of the writer connection, outside any transaction.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writerLock.withLock { try body(writer) }
    }

    /// Runs `body` in one transaction with exclusive use of the writer connection.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writerLock.withLock { try writer.transaction { try body(writer) } }
    }

    /// Runs `body` in a transaction it may share with writes from other threads that arrived
    /// at the same time (each in its own savepoint: a throwing `body` undoes only itself).
    /// Returns only after the shared transaction committed.
    public func groupWrite<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        try withoutActuallyEscaping(body) { body in
            let job = GroupCommit.Job { db in result = try body(db) }
            try group.run(job) { commit in try writerLock.withLock { try commit(writer) } }
        }
        guard let result else { preconditionFailure("a group write returned without running its body") }
        return result
    }

    /// How many group transactions `groupWrite` has committed.
    public var commitCount: Int { group.commits }

    /// Runs `body` in one read transaction on a read-only connection: it sees one committed
    /// state throughout, and never waits for a write in progress.
    public func snapshot<T>(_ body: (Database) throws -> T) throws -> T {
        guard maxReaders > 0 else { return try read { db in try db.snapshot { try body(db) } } }
        readerSlots.wait()
        defer { readerSlots.signal() }
        let reader = try poolLock.withLock { idleReaders.popLast() } ?? Database(path: path, create: false, readOnly: true)
        defer { poolLock.withLock { idleReaders.append(reader) } }
        return try reader.snapshot { try body(reader) }
    }
}
