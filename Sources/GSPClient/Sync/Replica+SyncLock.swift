import Foundation
import GSPStore

extension Replica {
    /// One sync at a time per replica file: two at once (a scheduled sync and one by hand) would
    /// each push the whole outbox. The lock is `REPLICA.sync-lock` beside the file, held until the
    /// returned object goes; the system drops it if the process dies.
    ///
    /// A lock just released can look held for an instant: a child process another thread of this
    /// program is starting shares the descriptor until it execs. So a held lock is tried again
    /// for up to two seconds before the sync is refused.
    func takeSyncLock() async throws -> FileLock {
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            do { return try FileLock(path: path + ".sync-lock") } catch {
                if case .held = error, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    continue
                }
                try refuse(error)
            }
        }
    }

    private func refuse(_ error: FileLock.Failure) throws -> Never {
        switch error {
        case .held:
            throw ReplicaError(.busy, "another sync of \(path) is running (a second gsp sync, or a program using the client library); "
                               + "it sends the same changes: wait for it to finish")
        case .unavailable(let why):
            throw ReplicaError(.invalidState, "cannot lock \(path).sync-lock (\(why)): make the replica's folder writable and retry; nothing was sent")
        }
    }
}
