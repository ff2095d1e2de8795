import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on `DB.lock` next to a server database, held while a server serves it,
/// so that `restore` (and a second server) refuse instead of replacing a database in use.
///
/// An advisory `flock`: the operating system drops it when the process ends, however it ends,
/// so a lock file left behind by a crash never blocks anything.
public final class DatabaseLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock or throws saying the database is in use.
    public init(database: String) throws(ServerStoreError) {
        try SQLiteServerStore.checkLocation(of: database)
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServerStoreError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw ServerStoreError("a gsp-server is serving \(database) (it holds \(path)): stop it first (SIGTERM), then try again")
            }
            throw ServerStoreError("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
