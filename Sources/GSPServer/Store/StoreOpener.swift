import Foundation
import GSPPostgres

/// Opens the store `--db` names: a `postgres://` or `postgresql://` URL selects PostgreSQL,
/// anything else is a SQLite file path.
public enum StoreOpener {
    /// `create` makes a missing SQLite file, or the schema of an empty PostgreSQL database.
    public static func open(_ location: String, create: Bool = true) throws -> any ServerStore {
        if try isPostgres(location) {
            return try PostgresServerStore(url: location, create: create)
        }
        return try SQLiteServerStore(path: location, create: create)
    }

    /// True for a PostgreSQL URL, false for a file path; throws for another kind of URL and for
    /// anything that looks like a connection string, which would otherwise become a SQLite
    /// file named after it (its password included) and report success.
    public static func isPostgres(_ location: String) throws -> Bool {
        if PostgresServerStore.handles(location) { return true }
        if location.contains("://") {
            throw ServerStoreError("unsupported database URL '\(redact(location, secretsOf: location))': use postgres://USER@HOST:PORT/DATABASE or a SQLite file path")
        }
        // libpq's key=value form: "host=h dbname=d", or a single "dbname=d".
        if location.contains(/^\s*[A-Za-z_]+\s*=/) || (location.contains("=") && location.contains(where: \.isWhitespace)) {
            throw ServerStoreError("--db looks like a libpq key=value connection string, which gsp-server does not take: write it as a URL, "
                + "postgres://USER:PASSWORD@HOST:PORT/DATABASE (host=H port=P dbname=D user=U password=W is postgres://U:W@H:P/D; "
                + "other keys go after a '?', such as ?sslmode=require), or give a SQLite file path")
        }
        // A URL missing its "//" (postgres:db), or another scheme's (file:x.db).
        if let scheme = location.firstMatch(of: /^[A-Za-z][A-Za-z0-9+.\-]*:/) {
            throw ServerStoreError("--db starts with '\(scheme.output)' like a URL but is not a postgres:// URL: write a PostgreSQL URL as "
                + "postgres://USER@HOST:PORT/DATABASE, or a SQLite file path (./\(scheme.output)... for a file whose name has a colon)")
        }
        return false
    }

    /// `text` with every password `location` (a `--db` value) holds replaced by `***`: the one
    /// redaction for every message that can quote a database URL or libpq's words about it.
    public static func redact(_ text: String, secretsOf location: String) -> String {
        PostgresURL.redact(text, secretsOf: location)
    }

    /// Where the store lives, for messages (a PostgreSQL password is hidden).
    public static func describe(_ store: any ServerStore) -> String {
        switch store {
        case let sqlite as SQLiteServerStore: sqlite.path
        case let postgres as PostgresServerStore: postgres.location
        default: "the store"
        }
    }
}
