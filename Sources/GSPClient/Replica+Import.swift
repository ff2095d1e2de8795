import GSPCore
import GSPStore

/// A field value with the moment it took effect in its source, so an import keeps the
/// source's timeline as the field's history.
public struct StampedWrite: Hashable, Sendable {
    public var write: FieldWrite
    /// Unix milliseconds: the HLC physical time the change is stamped with.
    public var milliseconds: UInt64
    public init(_ write: FieldWrite, milliseconds: UInt64) {
        self.write = write
        self.milliseconds = milliseconds
    }
}

/// What an import changed.
public struct ImportSummary: Equatable, Sendable {
    /// Rows that got at least one new change.
    public var rowsChanged = 0
    /// Field changes written (each one also pending for the server).
    public var changesWritten = 0
    /// Fields whose final value was already current: left alone.
    public var fieldsUnchanged = 0
    public init() {}
}

extension Replica {
    /// Writes an import in one transaction, so a failure leaves the replica as it was.
    ///
    /// Per field, the source's final value is compared with the import baseline (what the
    /// last import wrote), never with the current value, which may hold a newer user edit:
    /// - same as the baseline: nothing is written (re-importing a file changes nothing, and
    ///   a user's later edit stands);
    /// - a field the replica never had: its whole source timeline, at the source's times;
    /// - changed in the source: the new value, stamped at the source time unless the current
    ///   value is newer, then at a fresh tick so the update wins the merge everywhere;
    /// - no baseline yet (imported before baselines were kept, or on another replica) and the
    ///   field's history already held the value: taken as the baseline, nothing written.
    /// - Parameter progress: called with (fields done, fields in all) about every 1% of the
    ///   fields, and once at the end; for a progress line on a terminal.
    public func importStamped(_ writes: [StampedWrite], progress: ((Int, Int) -> Void)? = nil) throws -> ImportSummary {
        try Replica.checkCarriable(writes.map(\.write))
        var byField: [FieldKey: [StampedWrite]] = [:]
        var order: [FieldKey] = []
        for w in writes {
            let key = FieldKey(table: w.write.table, row: w.write.row, field: w.write.field)
            if byField[key] == nil { order.append(key) }
            byField[key, default: []].append(w)
        }
        return try transaction {
            // A rep's import of someone else's deals is refused whole, before anything is pending.
            try checkWriteScope(writes.map(\.write))
            var summary = ImportSummary()
            var clock = try loadClock()
            var changedRows = Set<FieldKey>()
            let step = max(1, order.count / 100)
            for (done, key) in order.enumerated() {
                if done % step == 0 { progress?(done, order.count) }
                let timeline = byField[key]!.sorted { $0.milliseconds < $1.milliseconds }
                let current = try currentWinner(table: key.table, row: key.row, field: key.field)
                guard let final = timeline.last else { continue }
                let baseline = try importBaseline(key)
                try setImportBaseline(key, final.write.value)
                // Compared with what the last import wrote, not with the current value (a user's
                // edit may be newer); with no baseline yet, a value the field once held counts.
                let sourceUnchanged = try baseline.map { $0 == final.write.value }
                    ?? (current != nil && historyHolds(key, final.write.value))
                if sourceUnchanged || current?.value == final.write.value {
                    summary.fieldsUnchanged += 1
                    continue
                }
                var stamps: [(Value, HLC)]
                if let current {
                    let source = HLC(milliseconds: min(final.milliseconds, try correctedWall()))
                    stamps = [(final.write.value, source > current.hlc ? source : clock.tick(wallMilliseconds: try correctedWall()))]
                } else {
                    // Several writes in one millisecond keep their order through the HLC counter.
                    // A source date in the future (a typo, a planned date) is stamped now: a change
                    // cannot have happened later than the import, and servers refuse future stamps.
                    let now = try correctedWall()
                    var last = HLC.zero
                    stamps = timeline.map { w in
                        let hlc = max(HLC(milliseconds: min(w.milliseconds, now)), last.successor)
                        last = hlc
                        return (w.write.value, hlc)
                    }
                }
                var prev = current?.hlc ?? .zero
                for (value, hlc) in stamps {
                    let change = Change(table: key.table, row: key.row, field: key.field, value: value, hlc: hlc, node: node, prev: prev)
                    try storeWinner(change)
                    try appendHistory(change, origin: "import")
                    try statement("INSERT INTO pending (tbl, row, field, kind, vi, vt, hlc, node, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .run(Replica.changeArguments(change) + [change.prev.sql])
                    clock.observe(hlc)
                    prev = hlc
                    summary.changesWritten += 1
                }
                changedRows.insert(FieldKey(table: key.table, row: key.row, field: ""))
            }
            try saveClock(clock)
            progress?(order.count, order.count)
            summary.rowsChanged = changedRows.count
            return summary
        }
    }
}
