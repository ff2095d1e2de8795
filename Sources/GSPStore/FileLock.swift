import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a small file beside a database, held for the
/// object's life. The operating system drops it when the process ends, however it ends, so a
/// lock file left behind by a crash never blocks anything. A separate file, never the database
/// itself: closing any descriptor of the database file would drop SQLite's own POSIX locks.
public final class FileLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public enum Failure: Error, Sendable {
        /// Another process (or another lock in this one) holds it.
        case held
        /// The lock file cannot be opened or locked; the system's words.
        case unavailable(String)
    }

    /// Takes the lock at once or throws `.held`.
    public init(path: String) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unavailable(String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw code == EWOULDBLOCK ? .held : .unavailable(String(cString: strerror(code)))
        }
        // Stored last, once nothing can fail: deinit runs even when a throwing init fails later.
        descriptor = fd
    }

    deinit { close(descriptor) }
}
