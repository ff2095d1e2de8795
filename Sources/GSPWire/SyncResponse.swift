import Foundation
import GSPCore

/// Why the server refused one pushed change. Codes a reader does not know read as `.other`.
public enum RefusalCode: UInt8, Sendable, CaseIterable {
    /// The row is outside the user's scope (a rep writing someone else's deal).
    case outOfScope = 1
    /// The value is not acceptable for the field.
    case invalidValue = 2
    /// The change is stamped too far in the future.
    case clockSkew = 3
    /// The user may not write this field.
    case forbidden = 4
    case other = 255
}

/// One pushed change the server refused, by its local sequence number.
public struct Refusal: Hashable, Sendable {
    public var seq: UInt64
    public var code: RefusalCode
    public var reason: String
    public init(seq: UInt64, code: RefusalCode, reason: String) {
        self.seq = seq
        self.code = code
        self.reason = reason
    }
}

/// A row that left the user's scope: the replica deletes it locally.
public struct DroppedRow: Hashable, Sendable {
    public var table: String
    public var row: RowID
    public init(table: String, row: RowID) {
        self.table = table
        self.row = row
    }
}

/// The server's half of a sync round trip: what it acknowledged and refused, and a page of pulled changes.
public struct SyncResponse: Hashable, Sendable {
    /// The server's epoch; a replica that knew another one must start over.
    public var epoch: UUID
    public var serverTime: HLC
    /// The last local sequence made durable; 0 when none.
    public var acknowledged: UInt64
    public var refusals: [Refusal]
    /// Current winning values; `prev` may be zero.
    public var changes: [Change]
    public var dropped: [DroppedRow]
    /// Who the nodes of the pulled changes belong to (user names), for display.
    public var nodes: [NodeID: String]
    /// The server sequence to send as the next request's cursor.
    public var cursor: UInt64
    /// True when more pages follow: sync again at once with the new cursor.
    public var hasMore: Bool

    public init(epoch: UUID, serverTime: HLC, acknowledged: UInt64, refusals: [Refusal] = [], changes: [Change] = [],
                dropped: [DroppedRow] = [], nodes: [NodeID: String] = [:], cursor: UInt64, hasMore: Bool) {
        self.epoch = epoch
        self.serverTime = serverTime
        self.acknowledged = acknowledged
        self.refusals = refusals
        self.changes = changes
        self.dropped = dropped
        self.nodes = nodes
        self.cursor = cursor
        self.hasMore = hasMore
    }

    /// Writes the body: tables, then the header, refusals, changes, dropped rows and node directory sections.
    public func encode(into writer: inout ByteWriter) {
        var tables = TableBuilder()
        var sections = ByteWriter(capacity: 64 + changes.count * 12)
        sections.writeSection { w in
            w.writeUUID(epoch)
            w.writeVarInt(serverTime.rawValue)
            w.writeVarInt(acknowledged)
            w.writeVarInt(cursor)
            w.writeBool(hasMore)
        }
        sections.writeSection { w in
            w.writeVarInt(UInt64(refusals.count))
            for refusal in refusals {
                w.writeVarInt(refusal.seq)
                w.writeByte(refusal.code.rawValue)
                w.writeString(refusal.reason)
            }
        }
        sections.writeSection { w in
            w.writeVarInt(UInt64(changes.count))
            var records = ChangeWriter()
            for change in changes { records.write(change, into: &w, tables: &tables) }
        }
        sections.writeSection { w in
            w.writeVarInt(UInt64(dropped.count))
            for drop in dropped {
                w.writeVarInt(UInt64(tables.string(drop.table)))
                w.writeVarInt(UInt64(tables.row(drop.row)))
            }
        }
        sections.writeSection { w in
            // Sorted by node id so that equal messages encode to equal bytes.
            let entries = nodes.sorted { $0.key < $1.key }
            w.writeVarInt(UInt64(entries.count))
            for (node, name) in entries {
                w.writeVarInt(UInt64(tables.node(node)))
                w.writeString(name)
            }
        }
        tables.write(into: &writer)
        writer.writeBytes(sections.bytes)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> SyncResponse {
        let tables = try FrameTables.read(from: &reader)
        var response = try reader.readSection("response header") { (r: inout ByteReader) throws(WireError) in
            SyncResponse(epoch: try r.readUUID("epoch"), serverTime: HLC(rawValue: try r.readVarInt("server time")),
                         acknowledged: try r.readVarInt("acknowledged sequence"), cursor: try r.readVarInt("cursor"),
                         hasMore: try r.readBool("has-more flag"))
        }
        response.refusals = try reader.readSection("refusals") { (r: inout ByteReader) throws(WireError) in
            let count = try r.readCount("refusals", limit: r.limits.changesPerFrame, minimumBytes: 3)
            var refusals: [Refusal] = []
            refusals.reserveCapacity(count)
            for _ in 0..<count {
                let seq = try r.readVarInt("refused sequence")
                let code = RefusalCode(rawValue: try r.readByte("refusal code")) ?? .other
                refusals.append(Refusal(seq: seq, code: code, reason: try r.readString("refusal reason")))
            }
            return refusals
        }
        response.changes = try reader.readSection("pulled changes") { (r: inout ByteReader) throws(WireError) in
            let count = try r.readCount("pulled changes", limit: r.limits.changesPerFrame, minimumBytes: 3)
            return try ChangeReader.readList(count: count, from: &r, tables: tables, sequenced: false) { _, change in change }
        }
        response.dropped = try reader.readSection("dropped rows") { (r: inout ByteReader) throws(WireError) in
            let count = try r.readCount("dropped rows", limit: r.limits.changesPerFrame, minimumBytes: 2)
            var dropped: [DroppedRow] = []
            dropped.reserveCapacity(count)
            for _ in 0..<count {
                let table = try tables.string(from: &r, "dropped table")
                dropped.append(DroppedRow(table: table, row: tables.rows[try tables.rowIndex(from: &r)]))
            }
            return dropped
        }
        response.nodes = try reader.readSection("node directory") { (r: inout ByteReader) throws(WireError) in
            let count = try r.readCount("node directory entries", limit: r.limits.changesPerFrame, minimumBytes: 2)
            var nodes: [NodeID: String] = [:]
            nodes.reserveCapacity(count)
            for _ in 0..<count {
                let start = r.offset
                let node = tables.nodes[try tables.nodeIndex(from: &r)]
                let name = try r.readString("user name")
                guard nodes.updateValue(name, forKey: node) == nil else {
                    throw WireError(.malformedFrame, "node \(node) appears twice in the node directory",
                                    offset: start, region: .body)
                }
            }
            return nodes
        }
        try reader.skipUnknownSections()
        return response
    }
}
