import Foundation
import GSPStore

/// An exclusive lock on `DB.lock` next to a server database, held while a server serves it,
/// so that `restore` (and a second server) refuse instead of replacing a database in use.
public final class DatabaseLock: Sendable {
    private let lock: FileLock
    public var path: String { lock.path }

    /// Takes the lock or throws saying the database is in use.
    public init(database: String) throws(ServerStoreError) {
        try SQLiteServerStore.checkLocation(of: database)
        // Someone else's SQLite file is refused before a lock file is left beside it.
        if FileManager.default.fileExists(atPath: database) {
            do {
                try SQLiteServerStore.checkIsServerDatabase(try Database(path: database, create: false, readOnly: true), path: database)
            } catch let error as ServerStoreError {
                throw error
            } catch {
                throw ServerStoreError("cannot read \(database): \(error)")
            }
        }
        let path = database + ".lock"
        do { lock = try FileLock(path: path) } catch {
            switch error {
            case .held: throw ServerStoreError("a gsp-server is serving \(database) (it holds \(path)): stop it first (SIGTERM), then try again")
            case .unavailable(let why): throw ServerStoreError("cannot lock \(path): \(why)")
            }
        }
    }
}
