import Foundation

/// The files `gsp-server backup` writes and `restore` reads, for both backends.
enum BackupFile {
    /// Creates `path`, empty, readable and writable by its owner only (0600, whatever the umask
    /// allows more): a backup holds every deal and every user's token hash. Refuses an existing file.
    static func createPrivate(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw ServerStoreError("\(path) already exists: choose a new backup file name") }
            throw ServerStoreError("cannot write the backup to \(path): \(String(cString: strerror(errno))); check the folder exists and is writable")
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Writes `bytes` to a new private file at `path` (see `createPrivate`); a failed write
    /// leaves no partial backup behind.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let file = try createPrivate(path)
        do {
            try file.write(contentsOf: bytes)
            try file.synchronize()
            try file.close()
        } catch {
            unlink(path)
            throw ServerStoreError("cannot write the backup to \(path): \(error.localizedDescription)")
        }
    }

    /// What a file that is not the expected backup is, from its first bytes, in printable text
    /// only (a SQLite file's header would print binary bytes).
    static func kind(of bytes: some Collection<UInt8>) -> String {
        let start = Array(bytes.prefix(80))
        if start.starts(with: Array("SQLite format 3\0".utf8)) {
            return "a SQLite database (a SQLite gsp-server backup is restored into a SQLite --db PATH)"
        }
        if start.starts(with: Array("gsp-server postgres backup".utf8)) {
            return "a gsp-server PostgreSQL backup (restore it into a --db postgres:// URL)"
        }
        if start.starts(with: Array("PGDMP".utf8)) {
            return "a pg_dump archive (restore it with pg_restore, then 'gsp-server migrate --new-epoch --db URL')"
        }
        if start.starts(with: [0x1F, 0x8B]) { return "gzip-compressed data (uncompress it first)" }
        if start.isEmpty { return "empty" }
        let line = start.prefix { $0 != 0x0A }
        guard line.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 }) else { return "binary data of another kind" }
        return "text starting with '\(String(decoding: line, as: UTF8.self))'"
    }
}
