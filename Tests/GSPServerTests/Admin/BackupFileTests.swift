import Foundation
import Testing
import GSPTestSupport

/// Found by a breaker: backups were written 0644 although they hold every deal and every
/// token hash, and `restore FILE --db postgres://` given a SQLite file printed its binary header
/// ("it starts with 'SQLite format 3 @ H...'").
@Suite("gsp-server backup files")
struct BackupFileTests {
    /// On both backends, with the usual umask 022: the backup is 0600.
    @Test(arguments: StoreBackend.available) func aBackupIsReadableByItsOwnerOnly(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        let file = fixture.directory.path("backup")
        let previous = umask(0o022)
        defer { umask(previous) }
        let result = try AdminRun.server(["backup", file, "--db", fixture.location])
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "mode \(String(info.st_mode & 0o777, radix: 8))")
        // The backup still restores.
        let restored = try AdminRun.server(["restore", file, "--db", fixture.location])
        #expect(restored.status == 0, "\(restored.stderr)")
    }

    /// Found by a new user: the live server.db was created 0644 (umask 022), though it holds
    /// the same data as a backup. A new database and its WAL are owner-only; an existing file's
    /// mode is the operator's choice and stays.
    @Test func aNewSQLiteDatabaseIsReadableByItsOwnerOnly() throws {
        let directory = TemporaryDirectory("gsp-db-mode")
        let db = directory.path("server.db")
        let previous = umask(0o022)
        defer { umask(previous) }
        let added = try AdminRun.server(["user", "add", "meg", "--role", "manager", "--db", db])
        #expect(added.status == 0, "\(added.stderr)")
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            var info = stat()
            #expect(stat(file, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600, "\(file): mode \(String(info.st_mode & 0o777, radix: 8))")
        }
        let shared = directory.path("shared.db")
        #expect(FileManager.default.createFile(atPath: shared, contents: nil, attributes: [.posixPermissions: 0o640]))
        #expect(try AdminRun.server(["migrate", "--db", shared]).status == 0)
        var info = stat()
        #expect(stat(shared, &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    /// A backup of the other backend, or another kind of file, is named in printable text.
    @Test func aBackupOfTheWrongKindIsNamedInPrintableText() throws {
        let directory = TemporaryDirectory("gsp-backup-kind")
        let sqlite = directory.path("server.db"), sqliteBackup = directory.path("sqlite.backup")
        #expect(try AdminRun.server(["migrate", "--db", sqlite]).status == 0)
        #expect(try AdminRun.server(["backup", sqliteBackup, "--db", sqlite]).status == 0)
        let binary = directory.path("binary")
        try Data([0x00, 0xFF, 0x1B, 0x5B, 0x32, 0x4A, 0x07, 0x0A]).write(to: URL(fileURLWithPath: binary))
        var expectations: [(file: String, db: String, kind: String)] = [(binary, sqlite, "binary data of another kind")]
        let database = PostgresTestDatabase.adminURL == nil ? nil : try PostgresTestDatabase()
        if let database {
            #expect(try AdminRun.server(["migrate", "--db", database.url]).status == 0)
            let postgresBackup = directory.path("postgres.backup")
            #expect(try AdminRun.server(["backup", postgresBackup, "--db", database.url]).status == 0)
            expectations += [
                (sqliteBackup, database.url, "it is a SQLite database"),
                (binary, database.url, "binary data of another kind"),
                (postgresBackup, sqlite, "a gsp-server PostgreSQL backup (restore it into a --db postgres:// URL)"),
            ]
        }
        for (file, db, kind) in expectations {
            let result = try AdminRun.server(["restore", file, "--db", db])
            #expect(result.status == 1)
            #expect(result.stderr.contains(kind), "\(file) into \(db): \(result.stderr)")
            #expect(result.stderr.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) || $0 == "\n" },
                    "unprintable bytes in: \(result.stderr.debugDescription)")
        }
    }
}
