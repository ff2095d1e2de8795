import Foundation
import GSPCore
import GSPStore
import Synchronization

/// The embedded server store: one SQLite file in WAL mode.
///
/// `synchronous=FULL` because the server acknowledges a push only after commit, and the
/// client then forgets those changes: a commit must survive a power cut, not only a crash.
/// All operations share one connection behind `DatabaseQueue`, one at a time.
public final class SQLiteServerStore: ServerStore {
    let queue: DatabaseQueue
    public var path: String { queue.path }
    static let schemaVersion: Int64 = 1
    private let migrationAtOpen = Mutex<SchemaMigration?>(nil)
    public var schemaAtOpen: SchemaMigration? { migrationAtOpen.withLock { $0 } }

    /// Opens (creating when asked) a store and brings its schema up to date.
    public init(path: String, create: Bool = true) throws {
        try Self.checkLocation(of: path)
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw ServerStoreError("no database at \(path): start 'gsp-server serve --db \(path)' or run 'gsp-server migrate --db \(path)' to create it")
        }
        // A new database is made owner-only (0600) before SQLite opens it: it holds every deal and
        // the users' token hashes, and SQLite would create it as the umask allows (often 0644).
        // Its -wal and -shm files take the database file's mode.
        if create && !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        do {
            queue = try DatabaseQueue(path: path, create: create)
            // Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: a push of 1,000 changes
            // dirties over 1,000 pages (fields, history and their indexes), so the default
            // checkpointed after nearly every push, copying hot pages again each time.
            try queue.read { db in try db.execute("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=10000") }
            let migration = try migrate()
            migrationAtOpen.withLock { $0 = migration }
            try Self.applyTestDiskLimit(queue)
        } catch let error as DatabaseError where error.isNotADatabase {
            throw ServerStoreError("\(path) is not a gsp-server database (\(error.message))")
        }
    }

    /// TEST HOOK, for the disk-full tests only: with `GSP_TEST_SPARE_PAGES=N` in the environment,
    /// the database may grow by only N more pages (`PRAGMA max_page_count`), so a push meets
    /// SQLITE_FULL exactly as on a full disk, without one. Never set it in production.
    static func applyTestDiskLimit(_ queue: DatabaseQueue) throws {
        guard let spare = ProcessInfo.processInfo.environment["GSP_TEST_SPARE_PAGES"].flatMap(Int.init), spare >= 0 else { return }
        try queue.read { db in
            let pages = try db.scalar("PRAGMA page_count")?.integer ?? 0
            try db.execute("PRAGMA max_page_count = \(pages + Int64(spare))")
        }
    }

    /// Creates missing tables and records the schema version; safe to run again.
    @discardableResult
    public func migrate() throws -> SchemaMigration {
        try queue.write { db in
            try Self.checkIsServerDatabase(db, path: path)
            try checkTables(db)
            let hadMeta = try db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")?.integer == 1
            try db.execute(Self.schema)
            let version = try db.scalar("SELECT value FROM meta WHERE key = 'schema_version'")?.text.flatMap(Int64.init) ?? 0
            if version > Self.schemaVersion {
                throw ServerStoreError("the database schema is version \(version), newer than this gsp-server (\(Self.schemaVersion)): upgrade gsp-server")
            }
            try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", [.text(String(Self.schemaVersion))])
            try db.run("INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?)", [.text(UUID().uuidString.lowercased())])
            try db.run("INSERT OR IGNORE INTO meta(key, value) VALUES ('last_seq', '0')")
            if version == Self.schemaVersion { return .upToDate(version: version) }
            return hadMeta && version > 0 ? .upgraded(from: version, to: Self.schemaVersion) : .created(version: Self.schemaVersion)
        }
    }

    /// Throws, naming what is missing, when a database that has a schema version lacks a table or
    /// column of `schema`: CREATE TABLE IF NOT EXISTS would quietly make a renamed table anew,
    /// empty (the server would serve an empty pipeline), and a dropped column fails every push.
    func checkTables(_ db: Database) throws {
        let found = try db.query("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'") {
            ($0[0].text ?? "", $0[1].text ?? "")
        }
        let columns = Dictionary(grouping: found, by: \.0).mapValues { Set($0.map(\.1)) }
        guard columns["meta"] != nil,
              try db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") != nil else { return }   // a new database
        let missing = SchemaColumns.missing(Self.expectedColumns, found: columns)
        guard missing.isEmpty else {
            throw ServerStoreError("the database \(path) is a gsp-server database but lacks \(missing.joined(separator: ", ")): "
                + "it was changed outside gsp-server; put it back as it was (rename the table back), restore it from a backup "
                + "(gsp-server restore), or point --db at another file")
        }
    }

    static let expectedColumns = SchemaColumns.parse(schema)

    static let schema = """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, region TEXT, token_hash BLOB NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);
    -- The current winner of every field; seq is the server sequence of its last change of winner or scope.
    CREATE TABLE IF NOT EXISTS fields (
        tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
        kind INTEGER NOT NULL, value, currency TEXT,
        hlc INTEGER NOT NULL, node TEXT NOT NULL, prev INTEGER NOT NULL, user TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (tbl, row, field));
    CREATE UNIQUE INDEX IF NOT EXISTS fields_seq ON fields(seq);
    -- Every accepted change, winner or loser when it arrived.
    CREATE TABLE IF NOT EXISTS history (
        id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
        kind INTEGER NOT NULL, value, currency TEXT,
        hlc INTEGER NOT NULL, node TEXT NOT NULL, prev INTEGER NOT NULL, user TEXT NOT NULL,
        received INTEGER NOT NULL, winner INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS history_stamp ON history(tbl, row, field, hlc, node);
    CREATE INDEX IF NOT EXISTS history_received ON history(received);
    CREATE TABLE IF NOT EXISTS conflicts (
        id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
        win_kind INTEGER NOT NULL, win_value, win_currency TEXT, win_hlc INTEGER NOT NULL, win_node TEXT NOT NULL, win_user TEXT NOT NULL,
        lose_kind INTEGER NOT NULL, lose_value, lose_currency TEXT, lose_hlc INTEGER NOT NULL, lose_node TEXT NOT NULL, lose_user TEXT NOT NULL,
        detected INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS conflicts_detected ON conflicts(detected);
    -- Which deal a row belongs to (deals point at themselves; accounts and unscoped rows at NULL).
    CREATE TABLE IF NOT EXISTS rows (tbl TEXT NOT NULL, row TEXT NOT NULL, deal TEXT, PRIMARY KEY (tbl, row));
    CREATE INDEX IF NOT EXISTS rows_deal ON rows(deal);
    CREATE TABLE IF NOT EXISTS deal_owners (deal TEXT PRIMARY KEY, owner TEXT);
    -- Rows that left a user's scope, at the server sequence it happened: the user's replica drops them.
    CREATE TABLE IF NOT EXISTS scope_log (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row TEXT NOT NULL, user TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS scope_log_user ON scope_log(user, seq);
    CREATE TABLE IF NOT EXISTS acks (node TEXT PRIMARY KEY, user TEXT NOT NULL, acknowledged INTEGER NOT NULL, last_seen INTEGER NOT NULL);
    """

    public func epoch() throws -> UUID {
        try queue.snapshot { db in
            guard let text = try db.scalar("SELECT value FROM meta WHERE key = 'epoch'")?.text, let uuid = UUID(uuidString: text) else {
                throw ServerStoreError("the database has no epoch: run 'gsp-server migrate --db \(path)'")
            }
            return uuid
        }
    }

    public func acknowledged(node: NodeID) throws -> UInt64 {
        try queue.snapshot { db in
            UInt64(try db.scalar("SELECT acknowledged FROM acks WHERE node = ?", [.text(node.description)])?.integer ?? 0)
        }
    }

    // MARK: Users

    public func addUser(_ user: User, tokenHash: [UInt8], beforeCommit: () throws -> Void) throws {
        try Self.validate(userName: user.name)
        try queue.write { db in
            if let revoked = try db.scalar("SELECT revoked FROM users WHERE name = ?", [.text(user.name)])?.integer, revoked == 0 {
                throw ServerStoreError("user '\(user.name)' already exists: run 'gsp-server user revoke \(UserName.commandWord(user.name))' first to issue a new token")
            }
            try db.run("INSERT OR REPLACE INTO users(name, role, region, token_hash, revoked, created) VALUES (?, ?, ?, ?, 0, ?)",
                       [.text(user.name), .text(user.role.rawValue), user.region.map(SQLValue.text) ?? .null,
                        .blob(tokenHash), .integer(user.created.milliseconds)])
            try beforeCommit()
        }
    }

    public func users() throws -> [User] {
        try queue.snapshot { db in
            try db.query("SELECT name, role, region, revoked, created FROM users ORDER BY name") { row in
                try Self.user(row)
            }
        }
    }

    public func activeCredentials() throws -> [UserCredential] {
        try queue.snapshot { db in
            try db.query("SELECT name, role, region, revoked, created, token_hash FROM users WHERE revoked = 0") { row in
                UserCredential(user: try Self.user(row), tokenHash: row.blob(5))
            }
        }
    }

    public func revokeUser(named name: String) throws {
        try queue.write { db in
            try db.run("UPDATE users SET revoked = 1 WHERE name = ?", [.text(name)])
            if db.changes == 0 { throw ServerStoreError("no user named '\(name)': see 'gsp-server user list'") }
        }
    }

    static func user(_ row: Row) throws -> User {
        guard let role = Role(rawValue: row.text(1)) else {
            throw ServerStoreError("user '\(row.text(0))' has an unknown role '\(row.text(1))'")
        }
        return User(name: row.text(0), role: role, region: row.isNull(2) ? nil : row.text(2),
                    revoked: row.integer(3) != 0, created: Date(milliseconds: row.integer(4)))
    }

    /// Throws naming the problem when the database's folder is missing, not a folder, or not
    /// writable (SQLite needs to create its journal files there), instead of "SQLite error 14".
    static func checkFolder(of path: String) throws(ServerStoreError) {
        let folder = PathText.folder(of: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw ServerStoreError("cannot open \(path): the folder \(folder) does not exist; create it first (mkdir -p \(folder))")
        }
        guard isFolder.boolValue else { throw ServerStoreError("cannot open \(path): \(folder) is not a folder") }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ServerStoreError("cannot open \(path): the folder \(folder) is not writable by this user; gsp-server writes the database and its journal files there")
        }
    }

    /// Throws naming the problem when `path` (or its folder, see `checkFolder`) cannot hold the
    /// database: it exists but is not a regular file (a folder, a FIFO, a device: SQLite would
    /// say only "disk I/O error" or "unable to open database file"), or it may not be written.
    static func checkLocation(of path: String) throws(ServerStoreError) {
        try checkFolder(of: path)
        var info = stat()
        guard stat(path, &info) == 0 else { return }   // missing: SQLite creates it
        if let kind = FileKind(mode: info.st_mode) {
            throw ServerStoreError("cannot open \(path): it is \(kind.description), not a regular file; "
                + (kind == .folder ? "give the path of a database file in it, such as \(path.hasSuffix("/") ? path : path + "/")server.db"
                                   : "give the path of a SQLite database file (created when missing)"))
        }
        guard access(path, W_OK) == 0 else {
            throw ServerStoreError("cannot open \(path): the file is not writable by this user (\(String(cString: strerror(errno)))); "
                + "make it writable (chmod u+w), run gsp-server as its owner, or move it to a writable disk")
        }
        // Another kind of file is refused before anything is written, not even a lock beside it
        // (a `/etc/passwd.lock` breaks useradd): only a SQLite file or an empty one goes on.
        guard info.st_size > 0, let head = FileHandle(forReadingAtPath: path).flatMap({ try? $0.read(upToCount: 80) }),
              !head.starts(with: Array("SQLite format 3\0".utf8)) else { return }
        throw ServerStoreError("\(path) is not a gsp-server database: it is \(BackupFile.kind(of: head)); "
            + "give --db the path of a gsp-server database, or of a new file to create one")
    }

    /// Throws when `db` holds tables but is not a gsp-server database (a replica, another
    /// program's file), or holds a schema version that is not one: gsp-server must never add its
    /// tables to someone else's database, nor take a damaged version row for an old schema.
    static func checkIsServerDatabase(_ db: Database, path: String) throws {
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0[0].text ?? "" }
        guard !tables.isEmpty else { return }   // a new, empty database
        // A replica has a meta table (with a schema version of its own) and an outbox, `pending`.
        let replica = tables.contains("pending") && tables.contains("meta")
        let version = tables.contains("meta") && !replica ? try db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") : nil
        guard let version else {
            throw ServerStoreError("\(path) is a SQLite database but not a gsp-server one (it holds \(tables.prefix(6).joined(separator: ", "))"
                + (tables.count > 6 ? ", ..." : "") + ")" + (replica ? "; it looks like a gsp replica, the file a rep's gsp keeps" : "")
                + ": give --db the path of a gsp-server database, or of a new file to create one")
        }
        guard let number = version.text.flatMap(Int64.init) ?? version.integer, number >= 1 else {
            throw ServerStoreError("\(path) holds a damaged schema version ('\(version.text ?? "?")' in its meta table): "
                + "restore the database from a backup (gsp-server restore), or point --db at another file")
        }
    }

    /// What a path that is not a regular file is, for messages.
    enum FileKind: Equatable {
        case folder, fifo, characterDevice, blockDevice, socket

        /// nil for a regular file.
        init?(mode: mode_t) {
            switch mode & S_IFMT {
            case S_IFREG: return nil
            case S_IFDIR: self = .folder
            case S_IFIFO: self = .fifo
            case S_IFCHR: self = .characterDevice
            case S_IFBLK: self = .blockDevice
            default: self = .socket
            }
        }

        var description: String {
            switch self {
            case .folder: "a folder"
            case .fifo: "a FIFO (named pipe)"
            case .characterDevice: "a character device"
            case .blockDevice: "a block device"
            case .socket: "a socket"
            }
        }
    }

    static func validate(userName name: String) throws(ServerStoreError) {
        do { try UserName.validate(name) } catch { throw ServerStoreError(error.message) }
    }
}
