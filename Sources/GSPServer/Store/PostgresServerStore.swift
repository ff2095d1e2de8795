import Foundation
import GSPCore
import GSPPostgres
import Synchronization

/// The shared server store: PostgreSQL, for several `gsp-server` processes over one database.
///
/// Every operation is one transaction on a pooled connection. Merges are serialized by a row
/// lock on `sequence_allocator`, held until commit, so server sequences become visible in
/// order and a pull's cursor never passes a change that commits later (see `merge`).
public final class PostgresServerStore: ServerStore {
    let pool: PostgresPool
    public let location: String
    static let schemaVersion: Int64 = 2
    private let migrationAtOpen = Mutex<SchemaMigration?>(nil)
    public var schemaAtOpen: SchemaMigration? { migrationAtOpen.withLock { $0 } }

    /// True for the URLs this backend takes: `postgres://` and `postgresql://`, in any case.
    public static func handles(_ location: String) -> Bool { PostgresURL.handles(location) }

    /// Bounds on how long one server can make the others wait (see `sessionSetup`).
    public struct SessionLimits: Sendable {
        /// A merge waiting longer than this for the merge lock gives up (503, retry later).
        public var lockTimeoutSeconds: Int = 15
        /// A transaction left idle this long (its server frozen, paused or cut off) is ended by
        /// PostgreSQL, which releases the merge lock it held; nothing of it was acknowledged.
        public var idleInTransactionSeconds: Int = 60
        public init(lockTimeoutSeconds: Int = 15, idleInTransactionSeconds: Int = 60) {
            self.lockTimeoutSeconds = lockTimeoutSeconds
            self.idleInTransactionSeconds = idleInTransactionSeconds
        }
    }

    /// Run on every new connection. Without these, one server that stopped mid-merge (a VM
    /// paused, SIGSTOP, a network cut with no TCP reset) held the merge lock for ever, and every
    /// other server's pushes, then all its pooled connections, waited behind it.
    public static func sessionSetup(_ limits: SessionLimits) -> @Sendable (PostgresConnection) throws -> Void {
        { db in
            try db.execute("SET lock_timeout = '\(max(1, limits.lockTimeoutSeconds))s'")
            try db.execute("SET idle_in_transaction_session_timeout = '\(max(1, limits.idleInTransactionSeconds))s'")
        }
    }

    /// Connects and checks the schema version; `create` also creates or upgrades the schema.
    public init(url: String, create: Bool = true, connections: Int = 4, limits: SessionLimits = SessionLimits()) throws {
        do {
            pool = try PostgresPool(url: url, size: connections, setup: Self.sessionSetup(limits))
        } catch {
            throw ServerStoreError(PostgresURL.redact("\(error)", secretsOf: url))
        }
        location = PostgresURL.redacted(url)
        if create {
            let migration = try migrate()
            migrationAtOpen.withLock { $0 = migration }
        } else {
            _ = try run { db in try self.checkVersion(db, allowMissing: false) }
        }
    }

    /// Creates missing tables, upgrades an older schema (`migrations`) and records the schema
    /// version; safe to run again, also by several servers starting at once (an advisory lock
    /// serializes them).
    @discardableResult
    public func migrate() throws -> SchemaMigration {
        try run { db in
            try db.transaction {
                try db.execute("SELECT pg_advisory_xact_lock(7301001)")
                let found = try self.checkVersion(db, allowMissing: true)
                var version = found ?? 0
                if version == 0 {
                    for statement in Self.schema { try db.execute(statement) }
                    try db.execute("INSERT INTO schema_version(version) VALUES (1)")
                    version = 1
                }
                // A new database is created at version 1 and migrated, so both paths build the same schema.
                if version < Self.schemaVersion {
                    for step in Self.migrations[Int(version - 1)...] {
                        for statement in step { try db.execute(statement) }
                    }
                    try db.execute("UPDATE schema_version SET version = $1", [.integer(Self.schemaVersion)])
                }
                try db.execute("INSERT INTO meta(key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING",
                               [.text(UUID().uuidString.lowercased())])
                try db.execute("INSERT INTO sequence_allocator(id, last_seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
                guard let found else { return .created(version: Self.schemaVersion) }
                return found < Self.schemaVersion ? .upgraded(from: found, to: Self.schemaVersion) : .upToDate(version: found)
            }
        }
    }

    /// The schema version found, nil for an empty database (when allowed); throws for any
    /// version this server cannot work with, naming both versions and what to do, for a
    /// missing version row, and for a missing table or column (`checkTables`).
    @discardableResult
    func checkVersion(_ db: PostgresConnection, allowMissing: Bool) throws -> Int64? {
        let exists = try db.execute("SELECT to_regclass('schema_version') IS NOT NULL")
        guard exists.bool(0, 0) else {
            if allowMissing { return nil }
            throw ServerStoreError("\(location) holds no gsp-server schema: run 'gsp-server migrate --db URL' to create it")
        }
        let rows = try db.execute("SELECT max(version)::bigint FROM schema_version")
        guard !rows.isNull(0, 0) else {
            throw ServerStoreError("the schema_version table at \(location) holds no version row (it was emptied outside gsp-server): "
                + "restore the database from a backup; if its tables are intact and of version \(Self.schemaVersion), "
                + "'INSERT INTO schema_version(version) VALUES (\(Self.schemaVersion))' puts the row back")
        }
        let version = rows.integer(0, 0)
        if version > Self.schemaVersion {
            throw ServerStoreError("the database schema at \(location) is version \(version), newer than this gsp-server's (version \(Self.schemaVersion)): upgrade gsp-server on every machine before starting it against this database")
        }
        if version < 1 {
            throw ServerStoreError("the database schema at \(location) has version \(version), which this gsp-server (schema version \(Self.schemaVersion)) does not know: restore the database from a backup or point --db at another database")
        }
        try checkTables(db)
        return version
    }

    /// Tables, in creation order. Names differ from SQLite's where PostgreSQL reserves a word.
    static let schema = [
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        // The last server sequence handed out. A merge locks this row until it commits.
        "CREATE TABLE sequence_allocator (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq BIGINT NOT NULL)",
        """
        CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, region TEXT, token_hash BYTEA NOT NULL,
            revoked BOOLEAN NOT NULL DEFAULT false, created BIGINT NOT NULL)
        """,
        """
        CREATE TABLE fields (tbl TEXT NOT NULL, rid TEXT NOT NULL, field TEXT NOT NULL,
            kind SMALLINT NOT NULL, ival BIGINT, tval BYTEA, currency TEXT,
            hlc BIGINT NOT NULL, node TEXT NOT NULL, prev BIGINT NOT NULL, usr TEXT NOT NULL, seq BIGINT NOT NULL,
            PRIMARY KEY (tbl, rid, field))
        """,
        "CREATE UNIQUE INDEX fields_seq ON fields(seq)",
        """
        CREATE TABLE history (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            tbl TEXT NOT NULL, rid TEXT NOT NULL, field TEXT NOT NULL, kind SMALLINT NOT NULL, ival BIGINT, tval BYTEA, currency TEXT,
            hlc BIGINT NOT NULL, node TEXT NOT NULL, prev BIGINT NOT NULL, usr TEXT NOT NULL, received BIGINT NOT NULL, winner BOOLEAN NOT NULL)
        """,
        "CREATE INDEX history_stamp ON history(tbl, rid, field, hlc, node)",
        "CREATE INDEX history_received ON history(received)",
        """
        CREATE TABLE conflicts (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            tbl TEXT NOT NULL, rid TEXT NOT NULL, field TEXT NOT NULL,
            win_kind SMALLINT NOT NULL, win_ival BIGINT, win_tval BYTEA, win_currency TEXT, win_hlc BIGINT NOT NULL, win_node TEXT NOT NULL, win_usr TEXT NOT NULL,
            lose_kind SMALLINT NOT NULL, lose_ival BIGINT, lose_tval BYTEA, lose_currency TEXT, lose_hlc BIGINT NOT NULL, lose_node TEXT NOT NULL, lose_usr TEXT NOT NULL,
            detected BIGINT NOT NULL)
        """,
        "CREATE INDEX conflicts_detected ON conflicts(detected)",
        "CREATE TABLE row_deals (tbl TEXT NOT NULL, rid TEXT NOT NULL, deal TEXT, PRIMARY KEY (tbl, rid))",
        "CREATE INDEX row_deals_deal ON row_deals(deal)",
        "CREATE TABLE deal_owners (deal TEXT PRIMARY KEY, owner TEXT)",
        "CREATE TABLE scope_log (seq BIGINT PRIMARY KEY, tbl TEXT NOT NULL, rid TEXT NOT NULL, usr TEXT NOT NULL)",
        "CREATE INDEX scope_log_user ON scope_log(usr, seq)",
        "CREATE TABLE acks (node TEXT PRIMARY KEY, usr TEXT NOT NULL, acknowledged BIGINT NOT NULL, last_seen BIGINT NOT NULL)",
    ]

    /// The steps from each schema version to the next: `migrations[0]` takes version 1 to 2.
    static let migrations: [[String]] = [
        // 1 -> 2: narrower history indexes. Every pushed change paid for three index inserts, two
        // of them wide or random: `history_stamp` (five columns, three of them text) and a
        // B-tree on `received` that no production query reads. A stamp lookup finds its few
        // candidates by HLC and row and checks the rest; `received` keeps a BRIN index (a few
        // bytes per range of pages) for `history(since:)`. Same tables and columns: backups of
        // version 1 restore unchanged.
        [
            "DROP INDEX IF EXISTS history_stamp",
            "DROP INDEX IF EXISTS history_received",
            "CREATE INDEX history_hlc_row ON history(hlc, rid)",
            "CREATE INDEX history_received ON history USING brin(received)",
        ],
    ]

    /// Runs `body` on a pooled connection; a lost database becomes `ServerStoreUnavailable`.
    func run<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection(body)
        } catch let error as PostgresError where error.isConnectionFailure {
            throw ServerStoreUnavailable("the database is unreachable: \(error.message)")
        }
    }

    /// Round trips to PostgreSQL so far, all connections together (for the benchmark and tests).
    public var roundTrips: Int { pool.roundTrips }

    public func epoch() throws -> UUID {
        try run { db in
            let rows = try db.execute("SELECT value FROM meta WHERE key = 'epoch'")
            guard rows.rowCount == 1, let uuid = UUID(uuidString: rows.text(0, 0)) else {
                throw ServerStoreError("the database has no epoch: run 'gsp-server migrate --db URL'")
            }
            return uuid
        }
    }

    public func acknowledged(node: NodeID) throws -> UInt64 {
        try run { db in
            let rows = try db.execute("SELECT acknowledged FROM acks WHERE node = $1", [.text(node.description)])
            return rows.rowCount == 0 ? 0 : UInt64(max(0, rows.integer(0, 0)))
        }
    }
}
