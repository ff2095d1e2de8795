import Foundation
import GSPCore

/// The per-frame tables a writer fills while encoding a message: strings (table and field
/// names, currencies), row ids and node ids, each numbered in order of first use.
struct TableBuilder {
    private(set) var strings: [String] = []
    private var stringIndex: [String: Int] = [:]
    private(set) var rows: [UUID] = []
    private var rowIndex: [UUID: Int] = [:]
    private(set) var nodes: [NodeID] = []
    private var nodeIndex: [NodeID: Int] = [:]

    mutating func string(_ text: String) -> Int {
        if let i = stringIndex[text] {
            // Swift's == merges canonically equivalent strings; the wire keeps exact bytes.
            if strings[i].utf8.elementsEqual(text.utf8) { return i }
            if let j = strings.firstIndex(where: { $0.utf8.elementsEqual(text.utf8) }) { return j }
            strings.append(text)
            return strings.count - 1
        }
        stringIndex[text] = strings.count
        strings.append(text)
        return strings.count - 1
    }

    mutating func row(_ id: UUID) -> Int {
        if let i = rowIndex[id] { return i }
        rowIndex[id] = rows.count
        rows.append(id)
        return rows.count - 1
    }

    mutating func node(_ id: NodeID) -> Int {
        if let i = nodeIndex[id] { return i }
        nodeIndex[id] = nodes.count
        nodes.append(id)
        return nodes.count - 1
    }

    /// The tables section: strings, then row ids, then node ids, each a count and its entries.
    func write(into writer: inout ByteWriter) {
        writer.writeSection { w in
            w.writeVarInt(UInt64(strings.count))
            for s in strings { w.writeString(s) }
            w.writeVarInt(UInt64(rows.count))
            for r in rows { w.writeUUID(r) }
            w.writeVarInt(UInt64(nodes.count))
            for n in nodes { w.writeUUID(n.uuid) }
        }
    }
}

/// The per-frame tables as a reader found them; references into them are checked.
struct FrameTables {
    var strings: [String] = []
    var rows: [UUID] = []
    var nodes: [NodeID] = []

    static func read(from reader: inout ByteReader) throws(WireError) -> FrameTables {
        try reader.readSection("tables") { (r: inout ByteReader) throws(WireError) in
            var tables = FrameTables()
            let limit = r.limits.tableEntries
            let stringCount = try r.readCount("strings in the string table", limit: limit, minimumBytes: 1)
            tables.strings.reserveCapacity(stringCount)
            for i in 0..<stringCount { tables.strings.append(try r.readString("string table entry \(i)")) }
            let rowCount = try r.readCount("row ids in the row table", limit: limit, minimumBytes: 16)
            tables.rows.reserveCapacity(rowCount)
            for i in 0..<rowCount { tables.rows.append(try r.readUUID("row table entry \(i)")) }
            let nodeCount = try r.readCount("node ids in the node table", limit: limit, minimumBytes: 16)
            tables.nodes.reserveCapacity(nodeCount)
            for i in 0..<nodeCount { tables.nodes.append(NodeID(try r.readUUID("node table entry \(i)"))) }
            return tables
        }
    }

    /// Reads a reference and checks it names an entry of a table of `count` entries.
    static func reference(from r: inout ByteReader, count: Int, _ what: String) throws(WireError) -> Int {
        let start = r.offset
        let ref = try r.readVarInt("\(what) reference")
        guard ref < UInt64(count) else {
            throw WireError(.malformedFrame, "\(what) reference \(ref) is outside its table (\(count) entries)",
                            offset: start, region: .body)
        }
        return Int(ref)
    }

    func stringIndex(from r: inout ByteReader, _ what: String) throws(WireError) -> Int {
        try Self.reference(from: &r, count: strings.count, what)
    }

    func string(from r: inout ByteReader, _ what: String) throws(WireError) -> String {
        strings[try stringIndex(from: &r, what)]
    }

    func rowIndex(from r: inout ByteReader) throws(WireError) -> Int {
        try Self.reference(from: &r, count: rows.count, "row")
    }

    func nodeIndex(from r: inout ByteReader) throws(WireError) -> Int {
        try Self.reference(from: &r, count: nodes.count, "node")
    }
}
