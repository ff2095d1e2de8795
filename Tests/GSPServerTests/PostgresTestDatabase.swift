import Foundation
import GSPPostgres
import GSPServer

/// A PostgreSQL schema of its own on the test server (GSP_TEST_POSTGRES_URL), reached
/// through a URL whose search_path names it; dropped with everything in it on release.
final class PostgresTestDatabase: Sendable {
    static var adminURL: String? {
        ProcessInfo.processInfo.environment["GSP_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    let schema: String
    /// A URL for `--db` that works in this schema only.
    let url: String
    let admin: String

    init() throws {
        guard let admin = Self.adminURL else {
            throw ServerStoreError("GSP_TEST_POSTGRES_URL is not set: run the tests with scripts/with-postgres.sh")
        }
        self.admin = admin
        schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url = Self.url(admin, searchPath: schema)
        try execute("CREATE SCHEMA \(schema)")
    }

    deinit { _ = try? execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }

    /// `base` with a search_path option (libpq passes `options` to the server at connect).
    static func url(_ base: String, searchPath: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(searchPath)"
    }

    /// Runs SQL in this schema on a connection of its own.
    func execute(_ sql: String) throws {
        let connection = try PostgresConnection(url: Self.url(admin, searchPath: schema))
        try connection.executeScript(sql)
    }
}
