import GSPCore

/// Change records (SPEC.md, "Change record"): a header byte holding the value tag and flags,
/// then only what differs from the previous record of the same list.
enum ChangeFlags {
    static let kindMask: UInt8 = 0x07
    static let newTable: UInt8 = 0x08
    static let newRow: UInt8 = 0x10
    static let newNode: UInt8 = 0x20
    static let hasPrev: UInt8 = 0x40
    static let hasCounter: UInt8 = 0x80
}

/// HLCs travel as milliseconds and counter apart: a zigzag millisecond delta is 1-3 bytes
/// for realistic gaps, and the counter, mostly zero, is then omitted.
enum HLCCoding {
    static let msLimit: Int64 = 1 << 48

    static func milliseconds(_ base: Int64, plus delta: Int64, _ what: String, at offset: Int) throws(WireError) -> Int64 {
        try milliseconds(base, delta: delta, negate: false, what, at: offset)
    }

    static func milliseconds(_ base: Int64, minus delta: Int64, _ what: String, at offset: Int) throws(WireError) -> Int64 {
        try milliseconds(base, delta: delta, negate: true, what, at: offset)
    }

    private static func milliseconds(_ base: Int64, delta: Int64, negate: Bool, _ what: String,
                                     at offset: Int) throws(WireError) -> Int64 {
        let (ms, overflow) = negate ? base.subtractingReportingOverflow(delta) : base.addingReportingOverflow(delta)
        guard !overflow, ms >= 0, ms < msLimit else {
            throw WireError(.malformedFrame, "\(what) milliseconds fall outside 0..<2^48", offset: offset, region: .body)
        }
        return ms
    }

    static func counter(from r: inout ByteReader, _ what: String) throws(WireError) -> UInt64 {
        let start = r.offset
        let counter = try r.readVarInt("\(what) counter")
        guard counter <= 0xFFFF else {
            throw WireError(.malformedFrame, "\(what) counter \(counter) does not fit 16 bits", offset: start, region: .body)
        }
        return counter
    }
}

/// Writes the change records of one list, remembering the previous record.
struct ChangeWriter {
    private var table = -1
    private var row = -1
    private var node = -1
    private var ms: Int64 = 0

    mutating func write(_ change: Change, into w: inout ByteWriter, tables: inout TableBuilder) {
        let t = tables.string(change.table)
        let r = tables.row(change.row)
        let n = tables.node(change.node)
        var header = change.value.kind.rawValue
        if t != table { header |= ChangeFlags.newTable }
        if r != row { header |= ChangeFlags.newRow }
        if n != node { header |= ChangeFlags.newNode }
        if change.prev != .zero { header |= ChangeFlags.hasPrev }
        if change.hlc.counter != 0 { header |= ChangeFlags.hasCounter }
        w.writeByte(header)
        if t != table { w.writeVarInt(UInt64(t)) }
        if r != row { w.writeVarInt(UInt64(r)) }
        w.writeVarInt(UInt64(tables.string(change.field)))
        let hlcMs = Int64(change.hlc.milliseconds)
        w.writeZigZag(hlcMs - ms)
        if change.hlc.counter != 0 { w.writeVarInt(UInt64(change.hlc.counter)) }
        if n != node { w.writeVarInt(UInt64(n)) }
        if change.prev != .zero {
            w.writeZigZag(hlcMs - Int64(change.prev.milliseconds))
            w.writeVarInt(UInt64(change.prev.counter))
        }
        writeValue(change.value, into: &w, tables: &tables)
        (table, row, node, ms) = (t, r, n, hlcMs)
    }

    private func writeValue(_ value: Value, into w: inout ByteWriter, tables: inout TableBuilder) {
        switch value {
        case .null: break
        case .integer(let v): w.writeZigZag(v)
        case .money(let m):
            w.writeZigZag(m.minorUnits)
            w.writeVarInt(UInt64(tables.string(m.currency)))
        case .real(let d): w.writeUInt64LE(d.bitPattern)
        case .text(let s): w.writeString(s)
        case .date(let d): w.writeZigZag(Int64(d.daysSinceEpoch))
        case .bool(let b): w.writeBool(b)
        }
    }
}

/// Reads the change records of one list, remembering the previous record.
/// `read` (ChangeRecord+FastPath.swift) tries the fast path first; this is the checked path.
struct ChangeReader {
    var table = -1
    var row = -1
    var node = -1
    var ms: Int64 = 0

    /// Reads one record with `ByteReader`, throwing the error that names what is wrong and where.
    mutating func readChecked(from r: inout ByteReader, tables: FrameTables) throws(WireError) -> Change {
        let start = r.offset
        let header = try r.readByte("a change header")
        guard let kind = ValueKind(rawValue: header & ChangeFlags.kindMask) else {
            throw WireError(.malformedFrame, "unknown value tag \(header & ChangeFlags.kindMask) in a change header",
                            offset: start, region: .body)
        }
        if header & ChangeFlags.newTable != 0 {
            table = try tables.stringIndex(from: &r, "table name")
        } else if table < 0 {
            throw WireError(.malformedFrame, "the first change of a list must name its table (header flag 0x08)",
                            offset: start, region: .body)
        }
        if header & ChangeFlags.newRow != 0 {
            row = try tables.rowIndex(from: &r)
        } else if row < 0 {
            throw WireError(.malformedFrame, "the first change of a list must name its row (header flag 0x10)",
                            offset: start, region: .body)
        }
        let field = try tables.string(from: &r, "field name")
        let deltaAt = r.offset
        ms = try HLCCoding.milliseconds(ms, plus: try r.readZigZag("HLC millisecond delta"), "HLC", at: deltaAt)
        let counter = header & ChangeFlags.hasCounter != 0 ? try HLCCoding.counter(from: &r, "HLC") : 0
        let hlc = UInt64(ms) << 16 | counter
        if header & ChangeFlags.newNode != 0 {
            node = try tables.nodeIndex(from: &r)
        } else if node < 0 {
            throw WireError(.malformedFrame, "the first change of a list must name its node (header flag 0x20)",
                            offset: start, region: .body)
        }
        var prev: UInt64 = 0
        if header & ChangeFlags.hasPrev != 0 {
            let offset = r.offset
            let prevMs = try HLCCoding.milliseconds(ms, minus: try r.readZigZag("prev HLC distance"), "prev HLC", at: offset)
            prev = UInt64(prevMs) << 16 | (try HLCCoding.counter(from: &r, "prev HLC"))
        }
        let value = try readValue(kind, from: &r, tables: tables)
        return Change(table: tables.strings[table], row: tables.rows[row], field: field, value: value,
                      hlc: HLC(rawValue: hlc), node: tables.nodes[node], prev: HLC(rawValue: prev))
    }

    private func readValue(_ kind: ValueKind, from r: inout ByteReader, tables: FrameTables) throws(WireError) -> Value {
        switch kind {
        case .null: return .null
        case .integer: return .integer(try r.readZigZag("integer value"))
        case .money:
            let minor = try r.readZigZag("money minor units")
            return .money(Money(minorUnits: minor, currency: try tables.string(from: &r, "currency")))
        case .real: return .real(Double(bitPattern: try r.readUInt64LE("real value")))
        case .text: return .text(try r.readString("text value"))
        case .date:
            let start = r.offset
            let days = try r.readZigZag("date value")
            guard let d = Int32(exactly: days) else {
                throw WireError(.malformedFrame, "date \(days) days does not fit 32 bits", offset: start, region: .body)
            }
            return .date(Day(daysSinceEpoch: d))
        case .bool: return .bool(try r.readBool("bool value"))
        }
    }
}
