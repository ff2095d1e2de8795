import Foundation
import GSPPostgres
import GSPStore

/// A failed store operation seen twice: what the client is told, and what the operator must do.
///
/// Clients get no database details (SQL, paths, "free some space"): a rep cannot act on them.
/// The operator's line, for the server's log, names the cause.
struct StoreFailure {
    /// 503 when the server cannot write right now (its disk is full, its database file became
    /// read-only or fails to write): nothing was changed, and the same request succeeds once the
    /// operator has fixed it. 500 for anything else.
    let status: Int
    /// Seconds for `Retry-After` (503 only).
    let retryAfter: Int?
    let clientMessage: String
    let operatorMessage: String

    /// `doing` says what failed for the operator, such as "a push from alice".
    init(_ error: any Error, doing: String) {
        if let cause = Self.busy(error) {
            status = 503
            retryAfter = 5
            clientMessage = "the server is busy; nothing was acknowledged: your changes stay pending on this device, "
                + "they go up by themselves at the next sync"
            operatorMessage = "\(doing) was refused with 503: \(cause): \(error)"
        } else if let cause = Self.cannotWrite(error) {
            status = 503
            retryAfter = 30
            clientMessage = "the server cannot store changes right now; nothing was acknowledged: your changes stay pending on "
                + "this device, sync again later"
            operatorMessage = "\(doing) was refused with 503: \(cause): \(error)"
        } else {
            status = 500
            retryAfter = nil
            clientMessage = "the server failed (its log says why); nothing was acknowledged: your changes stay pending on this "
                + "device, sync again later"
            operatorMessage = "\(doing) failed with 500: \(error)"
        }
    }

    /// Why the store is too busy for this request right now, when that is the failure.
    static func busy(_ error: any Error) -> String? {
        guard let postgres = error as? PostgresError, let state = postgres.sqlState else { return nil }
        switch state {
        case "55P03": return "the merge lock stayed taken past lock_timeout (another server's merge is slow or that server froze mid-merge)"
        case "57014": return "PostgreSQL cancelled the statement (a statement timeout or an administrator)"
        case "40001", "40P01": return "PostgreSQL chose this transaction to abort (serialization failure or deadlock)"
        default: return nil
        }
    }

    /// Why the store cannot write, when that is the failure: the operator's to fix, not the client's.
    static func cannotWrite(_ error: any Error) -> String? {
        switch error {
        case let sqlite as DatabaseError:
            if sqlite.isDiskFull { return "the disk holding the database is full (free some space; clients retry by themselves)" }
            if sqlite.isReadOnly { return "the database file or its folder is read-only (make both writable)" }
            // SQLITE_IOERR: the file system failed a read or write (a failing disk, a vanished mount).
            if sqlite.code == 10 { return "the disk failed a read or write of the database (check the disk and the system log)" }
            return nil
        case let postgres as PostgresError:
            // Class 53: insufficient resources (53100 disk full, 53200 out of memory, 53300 too many connections).
            guard postgres.sqlState?.hasPrefix("53") == true else { return nil }
            return postgres.sqlState == "53100" ? "PostgreSQL's disk is full (free some space on the database server)"
                : "PostgreSQL is out of resources"
        default:
            return nil
        }
    }
}
