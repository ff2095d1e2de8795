import GSPStore

/// Replica files as older versions of gsp left them, to test that opening migrates them.
public enum OldReplicaFile {
    /// Turns a closed replica file back into format 1: no import baselines were kept then.
    public static func downgradeToFormat1(_ path: String) throws {
        try downgradeToFormat2(path)
        let database = try Database(path: path, create: false)
        try database.execute("DROP TABLE import_baseline; UPDATE meta SET value = 1 WHERE key = 'format';")
    }

    /// Turns a closed replica file back into format 2: pending had an index on its field key then.
    public static func downgradeToFormat2(_ path: String) throws {
        let database = try Database(path: path, create: false)
        try database.execute("CREATE INDEX pending_key ON pending (tbl, row, field); UPDATE meta SET value = 2 WHERE key = 'format';")
    }

    /// Whether the replica file has an index of this name.
    public static func hasIndex(_ path: String, _ name: String) throws -> Bool {
        try Database(path: path, create: false, readOnly: true)
            .scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?", [.text(name)])?.integer == 1
    }

    /// Makes a logged-in replica look as one logged in with `--ca-file` by a gsp that stored only
    /// the file's path, not its certificates.
    public static func forgetStoredCACertificates(_ path: String) throws {
        try Database(path: path, create: false).execute("DELETE FROM meta WHERE key = 'ca_pem'")
    }

    /// Whether the replica holds CA certificates stored at login.
    public static func hasStoredCACertificates(_ path: String) throws -> Bool {
        try Database(path: path, create: false, readOnly: true).scalar("SELECT count(*) FROM meta WHERE key = 'ca_pem' AND value IS NOT NULL")?.integer == 1
    }

    /// The format a replica file says it has.
    public static func format(_ path: String) throws -> Int64? {
        try Database(path: path, create: false, readOnly: true).scalar("SELECT value FROM meta WHERE key = 'format'")?.integer
    }
}
