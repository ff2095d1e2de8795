import Foundation
import GSPCore

/// A local change pushed to the server, numbered by the replica's change log.
public struct PushedChange: Hashable, Sendable {
    /// The local sequence number; increasing within a request. The server acknowledges by it.
    public var seq: UInt64
    public var change: Change
    public init(seq: UInt64, change: Change) {
        self.seq = seq
        self.change = change
    }
}

/// The client's half of a sync round trip: who it is, where its pull stands, what it pushes.
public struct SyncRequest: Hashable, Sendable {
    public var node: NodeID
    /// The replica's `Schema.version`.
    public var schemaVersion: UInt32
    /// The server epoch the replica last synced with; nil before its first sync.
    /// (Sent as 16 zero bytes, so an all-zero UUID reads back as nil.)
    public var knownEpoch: UUID?
    /// The last server sequence the replica applied; 0 before its first pull.
    public var cursor: UInt64
    /// How many changes the client would like per page; the server may send fewer.
    public var pageSize: UInt32
    public var changes: [PushedChange]

    public init(node: NodeID, schemaVersion: UInt32 = Schema.version, knownEpoch: UUID?, cursor: UInt64,
                pageSize: UInt32, changes: [PushedChange]) {
        self.node = node
        self.schemaVersion = schemaVersion
        self.knownEpoch = knownEpoch
        self.cursor = cursor
        self.pageSize = pageSize
        self.changes = changes
    }

    static let zeroUUID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Writes the body: tables, header section, changes section.
    public func encode(into writer: inout ByteWriter) {
        var tables = TableBuilder()
        var sections = ByteWriter(capacity: 64 + changes.count * 12)
        sections.writeSection { w in
            w.writeUUID(node.uuid)
            w.writeVarInt(UInt64(schemaVersion))
            w.writeUUID(knownEpoch ?? Self.zeroUUID)
            w.writeVarInt(cursor)
            w.writeVarInt(UInt64(pageSize))
        }
        sections.writeSection { w in
            w.writeVarInt(UInt64(changes.count))
            var records = ChangeWriter()
            var seq: UInt64 = 0
            for pushed in changes {
                w.writeVarInt(pushed.seq &- seq)
                seq = pushed.seq
                records.write(pushed.change, into: &w, tables: &tables)
            }
        }
        tables.write(into: &writer)
        writer.writeBytes(sections.bytes)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> SyncRequest {
        let tables = try FrameTables.read(from: &reader)
        var request = try reader.readSection("request header") { (r: inout ByteReader) throws(WireError) in
            let node = NodeID(try r.readUUID("node id"))
            let schema = try r.readUInt32("schema version")
            let epoch = try r.readUUID("known epoch")
            return SyncRequest(node: node, schemaVersion: schema, knownEpoch: epoch == zeroUUID ? nil : epoch,
                               cursor: try r.readVarInt("cursor"), pageSize: try r.readUInt32("page size"), changes: [])
        }
        request.changes = try reader.readSection("pushed changes") { (r: inout ByteReader) throws(WireError) in
            let count = try r.readCount("pushed changes", limit: r.limits.changesPerFrame, minimumBytes: 4)
            return try ChangeReader.readList(count: count, from: &r, tables: tables, sequenced: true) { seq, change in
                PushedChange(seq: seq, change: change)
            }
        }
        try reader.skipUnknownSections()
        return request
    }
}
