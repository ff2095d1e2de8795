import Foundation
import Synchronization
import GSPCore

/// The store's history, kept in memory between report requests so that each request reads
/// only what was accepted since the last one: reading 2 million changes from SQLite took
/// longer (3.5 s) than computing the report from them. The history only grows; a restore
/// gives the store a new epoch, which empties the cache.
final class HistoryCache: Sendable {
    /// The history as of one request: chunks of changes in commit order, and who sent each node's changes.
    struct Snapshot: Sendable {
        let chunks: [[Change]]
        let users: [NodeID: String]
        var changes: FlattenSequence<[[Change]]> { chunks.joined() }
        var count: Int { chunks.reduce(0) { $0 + $1.count } }
    }

    private struct State {
        var epoch: UUID?
        var lastID: Int64 = 0
        // Chunks, not one array: appending to one array shared with a report in progress would copy it all.
        var chunks: [[Change]] = []
        var users: [NodeID: String] = [:]
    }

    private let state = Mutex(State())
    let pageSize: Int

    init(pageSize: Int = 50_000) { self.pageSize = pageSize }

    /// Reads what the store accepted since the last call and returns the whole history.
    func snapshot(_ store: any ServerStore) throws -> Snapshot {
        try state.withLock { (state: inout State) throws -> Snapshot in
            let epoch = try store.epoch()
            if state.epoch != epoch { state = State(epoch: epoch) }
            while true {
                let page = try store.history(afterID: state.lastID, limit: pageSize)
                if page.entries.isEmpty { break }
                state.chunks.append(page.entries.map(\.change))
                for entry in page.entries where state.users[entry.change.node] == nil { state.users[entry.change.node] = entry.user }
                state.lastID = page.lastID
                if page.entries.count < pageSize { break }
            }
            // A restore while we read: start again from its beginning next time.
            if try store.epoch() != epoch { state = State() }
            return Snapshot(chunks: state.chunks, users: state.users)
        }
    }
}
