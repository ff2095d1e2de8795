import GSPCore
import GSPWire

/// One pull page being built from winners read in seq order. Each backend reads its rows and
/// its dropped rows with its own SQL; the paging and cursor rules live here, once.
///
/// A page ends at `limit` changes, or before the change that could take its encoded size past
/// `maxBytes` (`WireSize` bounds), whichever comes first; it always holds at least one change,
/// so a single huge value still moves the cursor on.
struct PullPageAssembly {
    let user: User
    let cursor: UInt64
    let limit: Int
    let maxBytes: Int
    private var changes: [Change] = []
    private var nodes: [NodeID: String] = [:]
    private var bytes = 0
    private var lastReturned: UInt64
    private var hasMore = false

    init(user: User, cursor: UInt64, limit: Int, maxBytes: Int) {
        self.user = user
        self.cursor = cursor
        self.limit = max(1, limit)
        self.maxBytes = maxBytes
        lastReturned = cursor
    }

    /// How many rows the query should ask for: one more than the limit, whose presence means there is more.
    var rowsToRead: Int { limit + 1 }

    /// Adds the next winner (written by `writer`, at server sequence `seq`); false once the page
    /// is full, when this row was the extra one and the caller should stop reading.
    mutating func add(_ change: Change, writer: String, seq: UInt64) -> Bool {
        let cost = WireSize.bound(of: change) + (nodes[change.node] == nil ? WireSize.bound(ofDirectoryEntry: writer) : 0)
        guard changes.count < limit, changes.isEmpty || bytes + cost <= maxBytes else {
            hasMore = true
            return false
        }
        changes.append(change)
        nodes[change.node] = writer
        bytes += cost
        lastReturned = seq
        return true
    }

    /// The page. `lastSeq` is the store's last sequence, read in the same snapshot as the rows;
    /// `droppedRows(after, through)` gives the rows that left a rep's scope in that range.
    func page(lastSeq: UInt64, droppedRows: (_ after: UInt64, _ through: UInt64) throws -> [RowRef]) rethrows -> PullPage {
        // Without more, every visible change up to last_seq was returned: the cursor moves there.
        let newCursor = hasMore ? lastReturned : max(cursor, lastSeq)
        let dropped = user.role == .manager ? [] : try droppedRows(cursor, newCursor)
        return PullPage(changes: changes, dropped: dropped, nodes: nodes, cursor: newCursor, hasMore: hasMore)
    }
}
