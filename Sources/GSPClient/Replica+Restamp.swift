import GSPCore
import GSPStore

extension Replica {
    /// Re-stamps this node's pending changes after the server refused them for clock skew.
    ///
    /// The skew is learnt from `serverTime` (the wall clock is corrected by it from now on), and
    /// every pending stamp ahead of the server gets the time its edit really happened: the old
    /// stamp minus how far the corrected wall clock runs ahead of the server (the device clock's
    /// own skew, or a correction kept over a restart that turned out wrong), never later than
    /// `serverTime`. An edit made on a fast clock thus
    /// keeps its place among other people's edits instead of jumping ahead of edits made after
    /// it. Each new stamp stays past everything the replica had seen before that edit (history
    /// is kept in arrival order) and past the stamps before it, so every field's own sequence
    /// of edits and its prev chain keep their order; changes of one edit keep sharing one HLC.
    /// Returns how many pending changes moved.
    @discardableResult
    public func restamp(after serverTime: HLC) throws -> Int {
        try transaction {
            let wall = wallClock.now(), uptime = wallClock.uptime()
            // The stamps ran ahead by what the correction in effect now gets wrong; the device
            // clock itself is off by the rest, which is learnt anew.
            let server = Int64(clamping: serverTime.milliseconds), device = Int64(clamping: wall)
            let skew = server - Int64(clamping: try correctedWall(wall, uptime: uptime))
            try setClockAnchor(ClockAnchor(offset: min(0, server - device), wall: wall, uptime: uptime))
            let pending = try pendingChanges().filter { $0.change.node == node && $0.change.hlc > serverTime }
            // Refused changes were never accepted either, and may go up again (after a restore):
            // they move with the others, so none of them carries the skew.
            let refused = try database.query("SELECT DISTINCT hlc FROM refused WHERE node = ? AND hlc > ?", [node.sql, serverTime.sql]) { HLC(sql: $0.integer(0)) }
            let oldStamps = Set(pending.map(\.change.hlc) + refused).sorted()
            guard !oldStamps.isEmpty else { return 0 }
            let seenBefore = try causalFloors(of: Set(oldStamps))
            var mapping: [HLC: HLC] = [:]
            var last = HLC.zero
            for old in oldStamps {
                let corrected = Int64(clamping: old.milliseconds) + min(0, skew)
                let when = min(UInt64(clamping: max(0, corrected)), serverTime.milliseconds)
                let floor = max(seenBefore[old] ?? .zero, last)
                let new = max(HLC(milliseconds: when, counter: old.counter), HLC(rawValue: floor.rawValue &+ 1))
                mapping[old] = new
                last = new
            }
            for entry in pending {
                let new = mapping[entry.change.hlc]!, prev = mapping[entry.change.prev] ?? entry.change.prev
                try database.run("UPDATE pending SET hlc = ?, prev = ? WHERE seq = ?", [new.sql, prev.sql, .integer(Int64(entry.seq))])
                let key: [SQLValue] = [.text(entry.change.table), .text(entry.change.row.lowercased), .text(entry.change.field), entry.change.hlc.sql, node.sql]
                try database.run("UPDATE fields SET hlc = ? WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", [new.sql] + key)
                try database.run("UPDATE history SET hlc = ?, prev = ? WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?", [new.sql, prev.sql] + key)
            }
            let refusedRows = try database.query("SELECT id, hlc, prev FROM refused WHERE node = ?", [node.sql]) {
                ($0.integer(0), HLC(sql: $0.integer(1)), HLC(sql: $0.integer(2)))
            }
            for (id, hlc, prev) in refusedRows where mapping[hlc] != nil || mapping[prev] != nil {
                try database.run("UPDATE refused SET hlc = ?, prev = ? WHERE id = ?",
                                 [(mapping[hlc] ?? hlc).sql, (mapping[prev] ?? prev).sql, .integer(id)])
            }
            // The clock stays past everything else the replica holds and the server has seen.
            try saveClock(HybridClock(last: max(serverTime, last, try highestOtherStamp(excluding: Set(oldStamps)))))
            return pending.count
        }
    }

    /// For each of this node's `stamps`, the greatest HLC the replica had applied before the
    /// first change carrying it (its causal past), found from history's arrival order.
    private func causalFloors(of stamps: Set<HLC>) throws -> [HLC: HLC] {
        var floors: [HLC: HLC] = [:]
        var seen = HLC.zero
        let rows = try database.query("SELECT hlc, node FROM history ORDER BY id") { (HLC(sql: $0.integer(0)), $0.text(1)) }
        for (hlc, writer) in rows {
            if writer == node.description && stamps.contains(hlc) {
                if floors[hlc] == nil { floors[hlc] = seen }
            } else {
                seen = max(seen, hlc)
            }
        }
        return floors
    }

    /// The greatest stamp the replica holds that is not one of `stamps` being moved.
    private func highestOtherStamp(excluding stamps: Set<HLC>) throws -> HLC {
        try database.query("SELECT hlc, node FROM fields") { (HLC(sql: $0.integer(0)), $0.text(1)) }
            .filter { $0.1 != node.description || !stamps.contains($0.0) }.map(\.0).max() ?? .zero
    }
}
