/// The replica file's own tables. `format` in `meta` names this layout; bump it and add a
/// migration when the layout changes.
enum ReplicaSchema {
    static let format: Int64 = 3

    /// Columns every change-holding table shares: where, what (kind, vi, vt: see `StoredValue`), who and when.
    static let changeColumns = "tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL, kind INTEGER NOT NULL, vi INTEGER, vt TEXT, hlc INTEGER NOT NULL, node TEXT NOT NULL"

    static let create = """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    -- The current winner of every field.
    CREATE TABLE fields (\(changeColumns), PRIMARY KEY (tbl, row, field)) WITHOUT ROWID;
    -- Child rows are found by their deal reference.
    CREATE INDEX fields_deal_ref ON fields (vt) WHERE field = 'deal';
    -- Every change this replica applied, local or pulled, once each.
    CREATE TABLE history (id INTEGER PRIMARY KEY, \(changeColumns), prev INTEGER NOT NULL, origin TEXT NOT NULL);
    CREATE UNIQUE INDEX history_change ON history (tbl, row, field, hlc, node);
    -- Local changes not yet acknowledged by a server, in local order.
    CREATE TABLE pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, \(changeColumns), prev INTEGER NOT NULL);
    CREATE INDEX pending_key ON pending (tbl, row, field);
    -- Local changes a server refused, kept for the user to see.
    CREATE TABLE refused (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, \(changeColumns), prev INTEGER NOT NULL,
                          code TEXT NOT NULL, reason TEXT NOT NULL, refused_at INTEGER NOT NULL);
    -- Who each node is.
    CREATE TABLE nodes (node TEXT PRIMARY KEY, user TEXT NOT NULL) WITHOUT ROWID;
    """

    /// The steps from each format to the next: `migrations[0]` takes format 1 to 2, and so on.
    /// A new replica is created in format 1 and then migrated, so both paths build the same file.
    static let migrations = [
        // 1 -> 2: the value each import last wrote per field, so a re-import writes only
        // what changed in the source and never undoes a user's later edit.
        "CREATE TABLE IF NOT EXISTS import_baseline (tbl TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL, kind INTEGER NOT NULL, vi INTEGER, vt TEXT, PRIMARY KEY (tbl, row, field)) WITHOUT ROWID;",
        // 2 -> 3: no index on pending's field key. Every local edit paid a random-key index
        // insert for it, and WAL commits wrote its dirtied pages; only the rare row drops and the
        // end of an epoch resync look pending up by row, and pending holds only unsent edits.
        "DROP INDEX IF EXISTS pending_key;",
    ]
}

/// Keys of the `meta` table.
enum MetaKey: String {
    case format, node, user, clock, schemaVersion = "schema_version"
    case serverURL = "server_url", token, epoch, cursor
    case acknowledged = "acknowledged_seq", lastSync = "last_sync"
    /// Milliseconds added to the wall clock, learnt from the server's time at the last sync.
    case clockOffset = "clock_offset"
    /// Where the device's wall clock (Unix ms) and boot clock (ms, and the boot's id) stood when
    /// `clock_offset` was learnt: absent for an offset learnt before they were kept.
    case clockAnchorWall = "clock_anchor_wall", clockAnchorUptime = "clock_anchor_uptime", clockAnchorBoot = "clock_anchor_boot"
    /// The role the server gave this replica's token at login ("rep" or "manager").
    case role
    /// 1 while rows held before an epoch reset wait for the full pull to confirm them (table `unconfirmed`).
    case resyncing
    /// Refusals with a larger id came after the last epoch reset.
    case resyncRefusalsAfter = "resync_refusals_after"
    /// Where the CA certificates given at login were read from (shown by `gsp status`). Replicas
    /// from before `ca_pem` read the file there at every sync.
    case caFile = "ca_file"
    /// The CA certificates (PEM text) given at login, trusted instead of the system's authorities.
    case caCertificates = "ca_pem"
    /// 1 when plain http:// to another machine was allowed at login (`--insecure`).
    case insecure
    /// Why the last sync failed, and when (Unix milliseconds); cleared by a sync that finishes.
    case lastError = "last_error", lastErrorAt = "last_error_at"
}
