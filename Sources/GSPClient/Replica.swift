import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GSPCore
import GSPStore

/// The wall clock a replica stamps local edits with, in Unix milliseconds. Injectable for tests.
public struct WallClock: Sendable {
    public let now: @Sendable () -> UInt64
    /// The device's boot clock, read beside `now` to tell when the wall clock was set between
    /// two readings (see `ClockAnchor`); nil when there is none. A clock a test drives by hand
    /// has none unless the test gives one.
    public let uptime: @Sendable () -> Uptime?
    public init(_ now: @escaping @Sendable () -> UInt64, uptime: @escaping @Sendable () -> Uptime? = { nil }) {
        self.now = now
        self.uptime = uptime
    }
    public static let system = WallClock({ UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }, uptime: Uptime.system)
    /// A clock stopped at `milliseconds` (the HLC still moves forward by its counter).
    public static func fixed(_ milliseconds: UInt64) -> WallClock { WallClock { milliseconds } }
}

/// One local replica: a SQLite file holding the current fields, their history, the
/// pending change log and the sync state.
///
/// Not Sendable: use it from one thread. Every edit is one transaction, so several
/// processes may share the file (SQLite locks it), and a crash leaves no half-written edit.
public final class Replica {
    public let path: String
    /// This replica's identity, stamped on every local change.
    public let node: NodeID
    /// The user this replica belongs to (the default owner of new deals).
    public let user: String
    public let wallClock: WallClock
    let database: Database
    private var statements: [String: Statement] = [:]

    private init(path: String, database: Database, wallClock: WallClock) throws {
        self.path = path
        self.database = database
        self.wallClock = wallClock
        guard let nodeText = try database.scalar("SELECT value FROM meta WHERE key = 'node'")?.text, let node = NodeID(nodeText) else {
            throw ReplicaError.notAReplica(path, "it has no node id")
        }
        self.node = node
        user = try database.scalar("SELECT value FROM meta WHERE key = 'user'")?.text ?? ""
    }

    /// Creates a new replica file; refuses to touch an existing file.
    public static func create(at path: String, user: String, node: NodeID = NodeID(), wallClock: WallClock = .system) throws -> Replica {
        let trimmed = user.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ReplicaError(.invalidValue, "the user name is empty: pass --user NAME") }
        do { try UserName.validate(trimmed) } catch { throw ReplicaError.invalid(error) }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.replicaExists, "\(path) already exists: gsp init never overwrites a replica; pass --replica PATH to make another one")
        }
        let folder = PathText.folder(of: path)
        var isFolder: ObjCBool = false
        if !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
            throw ReplicaError(.replicaMissing, "cannot create \(path): the folder \(folder) does not exist; create it first (mkdir -p)")
        }
        // The file will hold the server token: readable by its owner only (SQLite gives -wal/-shm the same mode).
        // Created exclusively (O_EXCL): of two `gsp init` of one path at once, exactly one creates
        // the file; the other is told it exists and never touches (nor deletes) it.
        let descriptor = createExclusively(path)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw ReplicaError(.replicaExists, "\(path) already exists: gsp init never overwrites a replica; pass --replica PATH to make another one")
            }
            throw ReplicaError(.replicaMissing, "cannot create \(path): \(String(cString: strerror(errno))); check that the folder is writable")
        }
        _ = closeFile(descriptor)
        do {
            let database = try Database(path: path, create: false)
            try database.transaction {
                try database.execute(ReplicaSchema.create)
                let meta: [(MetaKey, SQLValue)] = [
                    (.format, .integer(1)), (.node, .text(node.description)), (.user, .text(trimmed)),
                    (.clock, .integer(0)), (.schemaVersion, .integer(Int64(Schema.version))),
                    (.cursor, .integer(0)), (.acknowledged, .integer(0)),
                ]
                for (key, value) in meta { try database.run("INSERT INTO meta (key, value) VALUES (?, ?)", [.text(key.rawValue), value]) }
                try database.run("INSERT INTO nodes (node, user) VALUES (?, ?)", [node.sql, .text(trimmed)])
                try migrate(database, from: 1)
            }
            return try Replica(path: path, database: database, wallClock: wallClock)
        } catch {
            // This process created the file (exclusively): nothing half-made stays behind.
            for leftover in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: leftover) }
            throw error
        }
    }

    /// Opens an existing replica, checking first (read-only) that the file is one, so a
    /// stray file is never modified.
    public static func open(at path: String, wallClock: WallClock = .system) throws -> Replica {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ReplicaError(.replicaMissing, "no replica at \(path): run 'gsp init --user NAME' to create one, or pass --replica PATH")
        }
        guard !isFolder.boolValue else { throw ReplicaError.notAReplica(path, "it is a folder") }
        // SQLite's open blocks for ever on a named pipe, and a device is never a replica.
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw ReplicaError.notAReplica(path, "it is not a regular file (a named pipe, a device or a socket)")
        }
        do {
            let probe = try Database(path: path, create: false, readOnly: true)
            let hasMeta = try probe.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")?.integer == 1
            guard hasMeta else { throw ReplicaError.notAReplica(path, "it has no GSP tables") }
            let format = try probe.scalar("SELECT value FROM meta WHERE key = 'format'")?.integer
            guard let format else { throw ReplicaError.notAReplica(path, "it has no replica format") }
            guard format <= ReplicaSchema.format else {
                throw ReplicaError(.notAReplica, "\(path) is a replica of a newer format (\(format)): upgrade gsp to open it")
            }
        } catch let error as DatabaseError {
            if error.isReadOnly { throw ReplicaError.readOnly(path) }
            throw ReplicaError.notAReplica(path, error.isNotADatabase ? "it is not a SQLite database" : error.message)
        }
        let database = try Database(path: path, create: false)
        func format() throws -> Int64 { try database.scalar("SELECT value FROM meta WHERE key = 'format'")?.integer ?? ReplicaSchema.format }
        // Only an old file takes the write lock; the format is read again inside, as another process may have migrated it.
        if try format() < ReplicaSchema.format {
            try database.transaction { try migrate(database, from: try format()) }
        }
        return try Replica(path: path, database: database, wallClock: wallClock)
    }

    /// Throws a clear error when this replica cannot be written (a read-only file, or a folder
    /// where SQLite may not create the -wal and -shm files): checked before anything is sent,
    /// so a sync never pushes what it could not then record as acknowledged.
    func checkWritable() throws {
        if database.isReadOnly { throw ReplicaError.readOnly(path) }
        do { try transaction {} } catch let error as DatabaseError where error.isReadOnly { throw ReplicaError.readOnly(path) }
    }

    /// Brings a replica file from `format` to the current one (in the caller's transaction).
    private static func migrate(_ database: Database, from format: Int64) throws {
        guard format < ReplicaSchema.format else { return }
        for step in ReplicaSchema.migrations[Int(format - 1)...] { try database.execute(step) }
        try database.run("UPDATE meta SET value = ? WHERE key = 'format'", [.integer(ReplicaSchema.format)])
    }

    /// A prepared statement kept for the life of the replica (the hot paths run them often).
    func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        let prepared = try database.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// Today in UTC by the replica's wall clock.
    public var today: Day { Day(daysSinceEpoch: Int32(wallClock.now() / 86_400_000)) }

    // MARK: meta

    func meta(_ key: MetaKey) throws -> SQLValue? {
        let s = try statement("SELECT value FROM meta WHERE key = ?")
        try s.bind([.text(key.rawValue)])
        return try s.step()?[0]
    }

    func setMeta(_ key: MetaKey, _ value: SQLValue) throws {
        try statement("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .run([.text(key.rawValue), value])
    }

    /// The clock as stored; read inside the write transaction so concurrent processes never reuse a stamp.
    func loadClock() throws -> HybridClock {
        HybridClock(last: HLC(sql: try meta(.clock)?.integer ?? 0))
    }

    func saveClock(_ clock: HybridClock) throws {
        try setMeta(.clock, clock.last.sql)
    }

    /// The last HLC this replica issued or observed.
    public func clockValue() throws -> HLC { try loadClock().last }

    /// Runs `body` in one write transaction.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        // A cached statement read for one row only stays active and keeps a read snapshot
        // open, even past COMMIT. Once another process (a second gsp on the same file) has
        // committed, BEGIN IMMEDIATE on a stale snapshot fails at once with SQLITE_BUSY_SNAPSHOT
        // instead of waiting: release every snapshot before beginning, and after ending.
        resetStatements()
        defer { resetStatements() }
        do {
            return try database.transaction {
                // Also before COMMIT: a read left active keeps the transaction's read lock, and the
                // WAL checkpoint that COMMIT runs then fails, so the WAL would grow for the whole session.
                defer { resetStatements() }
                return try body()
            }
        } catch let error as DatabaseError where error.isBusy {
            throw ReplicaError.busy(path)
        }
    }

    private func resetStatements() {
        for statement in statements.values { statement.reset() }
    }
}

@available(*, unavailable)
extension Replica: Sendable {}

/// `open(2)` with O_CREAT | O_EXCL, mode 0600: -1 (and errno EEXIST) when `path` exists.
/// At file scope, where `open` is the C function and not `Replica.open(at:)`.
private func createExclusively(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
}

private func closeFile(_ descriptor: Int32) -> Int32 { close(descriptor) }
