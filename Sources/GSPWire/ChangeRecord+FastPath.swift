import GSPCore

extension ChangeReader {
    /// Reads a list of `count` change records, each after a local sequence delta when
    /// `sequenced` (pushes). Well-formed records go through a raw cursor; a record the cursor
    /// refuses is read again by `readChecked`, which throws the error naming what is wrong
    /// and where. Both paths accept exactly the same records.
    @inline(__always)  // inlined into its two callers, so it is specialized for their element type
    static func readList<Element>(count: Int, from r: inout ByteReader, tables: FrameTables, sequenced: Bool,
                                  _ make: (UInt64, Change) -> Element) throws(WireError) -> [Element] {
        var records = ChangeReader()
        var texts = TextCache(expected: count)
        var seq: UInt64 = 0
        let stringLimit = r.limits.stringBytes
        // Each element is built in place in the new array: no append bookkeeping or copies.
        return try [Element](unsafeUninitializedCapacity: count) { (list, built) throws(WireError) in
            guard let slots = list.baseAddress else { return }
            while built < count {
                r.withCursor { c in
                    while built < count {
                        let mark = c.offset
                        var next = seq
                        if sequenced {
                            guard let delta = c.varInt() else { return }
                            next = seq &+ delta
                        }
                        guard let change = records.readFast(from: &c, tables: tables, texts: &texts,
                                                            stringLimit: stringLimit) else {
                            c.offset = mark
                            return
                        }
                        seq = next
                        (slots + built).initialize(to: make(seq, change))
                        built += 1
                    }
                }
                guard built < count else { break }
                if sequenced { seq = seq &+ (try r.readVarInt("local sequence delta")) }
                (slots + built).initialize(to: make(seq, try records.readChecked(from: &r, tables: tables)))
                built += 1
            }
        }
    }

    /// `readChecked`'s rules without error text; nil on the first rule broken, leaving the
    /// remembered previous record untouched.
    @inline(__always)
    private mutating func readFast(from c: inout ByteCursor, tables: FrameTables, texts: inout TextCache,
                                   stringLimit: Int) -> Change? {
        guard let header = c.byte(), let kind = ValueKind(rawValue: header & ChangeFlags.kindMask) else { return nil }
        var (table, row, node) = (self.table, self.row, self.node)
        if header & ChangeFlags.newTable != 0 {
            guard let t = c.reference(below: tables.strings.count) else { return nil }
            table = t
        } else if table < 0 {
            return nil
        }
        if header & ChangeFlags.newRow != 0 {
            guard let r = c.reference(below: tables.rows.count) else { return nil }
            row = r
        } else if row < 0 {
            return nil
        }
        guard let field = c.reference(below: tables.strings.count), let delta = c.zigZag(),
              let ms = Self.milliseconds(self.ms, delta, negate: false) else { return nil }
        var counter: UInt64 = 0
        if header & ChangeFlags.hasCounter != 0 {
            guard let n = c.varInt(), n <= 0xFFFF else { return nil }
            counter = n
        }
        if header & ChangeFlags.newNode != 0 {
            guard let n = c.reference(below: tables.nodes.count) else { return nil }
            node = n
        } else if node < 0 {
            return nil
        }
        var prev: UInt64 = 0
        if header & ChangeFlags.hasPrev != 0 {
            guard let distance = c.zigZag(), let prevMs = Self.milliseconds(ms, distance, negate: true),
                  let prevCounter = c.varInt(), prevCounter <= 0xFFFF else { return nil }
            prev = UInt64(prevMs) << 16 | prevCounter
        }
        guard let value = Self.readValueFast(kind, from: &c, tables: tables, texts: &texts, stringLimit: stringLimit) else {
            return nil
        }
        (self.table, self.row, self.node, self.ms) = (table, row, node, ms)
        return Change(table: tables.strings[table], row: tables.rows[row], field: tables.strings[field], value: value,
                      hlc: HLC(rawValue: UInt64(ms) << 16 | counter), node: tables.nodes[node], prev: HLC(rawValue: prev))
    }

    @inline(__always)
    private static func milliseconds(_ base: Int64, _ delta: Int64, negate: Bool) -> Int64? {
        let (ms, overflow) = negate ? base.subtractingReportingOverflow(delta) : base.addingReportingOverflow(delta)
        return !overflow && ms >= 0 && ms < HLCCoding.msLimit ? ms : nil
    }

    @inline(__always)
    private static func readValueFast(_ kind: ValueKind, from c: inout ByteCursor, tables: FrameTables,
                                      texts: inout TextCache, stringLimit: Int) -> Value? {
        switch kind {
        case .null: return .null
        case .integer: return c.zigZag().map { .integer($0) }
        case .money:
            guard let minor = c.zigZag(), let currency = c.reference(below: tables.strings.count) else { return nil }
            return .money(Money(minorUnits: minor, currency: tables.strings[currency]))
        case .real: return c.uint64LE().map { .real(Double(bitPattern: $0)) }
        case .text: return c.string(limit: stringLimit, cache: &texts).map { .text($0) }
        case .date:
            guard let days = c.zigZag(), let d = Int32(exactly: days) else { return nil }
            return .date(Day(daysSinceEpoch: d))
        case .bool:
            guard let b = c.byte(), b <= 1 else { return nil }
            return .bool(b == 1)
        }
    }
}
