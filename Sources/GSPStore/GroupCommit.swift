import Dispatch
import Foundation

/// Writes from concurrent callers committed together: the first caller to arrive leads, runs
/// every write queued by then in one transaction (each in its own savepoint, so one failing
/// undoes only itself) and commits once; every caller returns only after that commit. With
/// `synchronous=FULL` each commit waits for the disk, so 200 reps pushing at once waited for
/// 200 disk flushes in a row; now they share a few.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: `queued` and `leading` are only touched under `lock`; a job's fields are
    // written before its semaphore is signalled and read after the wait.
    final class Job {
        /// Dropped before the caller is woken: it borrows the caller's non-escaping closure.
        var body: ((Database) throws -> Void)?
        var failure: (any Error)?
        var leads = false
        let wake = DispatchSemaphore(value: 0)
        init(_ body: @escaping (Database) throws -> Void) { self.body = body }
    }

    private let lock = NSLock()
    private var queued: [Job] = []
    private var leading = false
    /// Group transactions committed so far (for tests and benchmarks).
    var commits: Int { lock.withLock { committed } }
    private var committed = 0

    init() {}

    /// Runs `job` in a group transaction; `writer` runs a closure with exclusive use of the
    /// writer connection. Returns once the group committed, or throws the job's failure.
    func run(_ job: Job, writer: ((Database) throws -> Void) throws -> Void) throws {
        let leadsNow: Bool = lock.withLock {
            queued.append(job)
            if leading { return false }
            leading = true
            return true
        }
        if !leadsNow {
            job.wake.wait()
            guard job.leads else {
                if let failure = job.failure { throw failure }
                return
            }
        }
        // Lead one group: everything queued by now, this job included.
        let group: [Job] = lock.withLock {
            defer { queued = [] }
            return queued
        }
        do {
            try writer { db in try Self.commit(group, on: db) }
            lock.withLock { committed += 1 }
        } catch {
            for member in group where member.failure == nil { member.failure = error }
        }
        for member in group { member.body = nil }
        // Hand the lead to the first caller that came meanwhile, then wake this group.
        lock.withLock {
            if let next = queued.first {
                next.leads = true
                next.wake.signal()
            } else {
                leading = false
            }
        }
        for member in group where member !== job { member.wake.signal() }
        if let failure = job.failure { throw failure }
    }

    /// One transaction for the whole group; a member that throws is rolled back to its savepoint.
    private static func commit(_ group: [Job], on db: Database) throws {
        try db.transaction {
            for member in group {
                guard db.inTransaction else {
                    // SQLite gave up the whole transaction (a full disk can): the rest cannot run in it.
                    member.failure = DatabaseError(code: 4, extendedCode: 4, message: "the write was abandoned with the transaction it shared", sql: nil)
                    continue
                }
                try db.execute("SAVEPOINT member")
                do {
                    try member.body?(db)
                    try db.execute("RELEASE member")
                } catch {
                    member.failure = error
                    if db.inTransaction {
                        try db.execute("ROLLBACK TO member")
                        try db.execute("RELEASE member")
                    }
                }
            }
            // Nothing left to commit when SQLite rolled the transaction back itself.
            guard db.inTransaction else { throw group.lazy.compactMap(\.failure).first ?? DatabaseError(code: 4, extendedCode: 4, message: "the transaction was rolled back", sql: nil) }
        }
    }
}
