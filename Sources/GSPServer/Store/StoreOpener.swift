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

    /// True for a PostgreSQL URL, false for a file path; throws for another kind of URL.
    public static func isPostgres(_ location: String) throws -> Bool {
        if PostgresServerStore.handles(location) { return true }
        if location.contains("://") {
            throw ServerStoreError("unsupported database URL '\(redact(location, secretsOf: location))': use postgres://USER@HOST:PORT/DATABASE or a SQLite file path")
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
