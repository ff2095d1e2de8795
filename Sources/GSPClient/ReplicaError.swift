import GSPCore

/// Something a replica operation refused or could not do; the message says what to do next.
public struct ReplicaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that branch on it.
    public enum Code: String, Sendable {
        case notAReplica, replicaExists, replicaMissing, unknownRow, ambiguousRow, deletedRow
        case unknownField, readOnlyField, invalidValue, gateBlocked, invalidState, corrupt
        /// A rep's edit of a deal they do not own: the server would refuse it at sync.
        case outOfScope
        /// Another program held the replica's write lock past the wait.
        case busy
        /// A file the command names cannot be used: missing, unreadable, or holding the wrong
        /// thing (a CA file with no certificate). The command line itself was well-formed.
        case unusableFile
        /// The server says the token belongs to another user than the replica's.
        case wrongUser
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func notAReplica(_ path: String, _ why: String) -> ReplicaError {
        ReplicaError(.notAReplica, "\(path) is not a GSP replica (\(why)): run 'gsp init' to create one, or pass --replica PATH")
    }

    static func readOnly(_ path: String) -> ReplicaError {
        ReplicaError(.invalidState, "\(path) is read-only (the file, or its folder where SQLite writes the -wal and -shm files beside it): "
                     + "make both writable (chmod u+w) and retry; nothing was changed or sent")
    }

    static func busy(_ path: String) -> ReplicaError {
        ReplicaError(.busy, "the replica \(path) is busy: another program has held it for over 5 s (a gsp sync or import still "
                     + "running, or a program with the file open in a transaction); try again when it is done; nothing was changed")
    }

    static func invalid(_ error: DomainError) -> ReplicaError {
        ReplicaError(.invalidValue, error.message)
    }
}
