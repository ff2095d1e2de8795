import GSPStore

extension Replica {
    /// One sync at a time per replica file: two at once (a scheduled sync and one by hand) would
    /// each push the whole outbox. The lock is `REPLICA.sync-lock` beside the file, held until the
    /// returned object goes; the system drops it if the process dies.
    func takeSyncLock() throws -> FileLock {
        do { return try FileLock(path: path + ".sync-lock") } catch {
            switch error {
            case .held:
                throw ReplicaError(.busy, "another sync of \(path) is running (a second gsp sync, or a program using the client library); "
                                   + "it sends the same changes: wait for it to finish")
            case .unavailable(let why):
                throw ReplicaError(.invalidState, "cannot lock \(path).sync-lock (\(why)): make the replica's folder writable and retry; nothing was sent")
            }
        }
    }
}
