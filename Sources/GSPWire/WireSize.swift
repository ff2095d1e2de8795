import GSPCore

/// Upper bounds on the bytes values add to a message body, so a sender can end a page of
/// changes before its frame could pass the `Limits` (SPEC.md, "Limits"). Bounds, not sizes:
/// every varint is counted at its widest and every name as if new to the frame's tables.
public enum WireSize {
    /// Varints of references and counts below 2^35 take at most 5 bytes; HLC deltas at most 10.
    private static let varint = 5, wideVarint = 10, id = 16

    /// The largest message body that surely passes both the inflated limit and, deflated even
    /// when it does not compress at all, the compressed limit (zlib adds under 1/2048 to
    /// stored data, plus a few bytes; the frame header is at most 17).
    public static func bodyBudget(_ limits: Limits = .standard) -> Int {
        min(limits.inflatedBytes, limits.compressedBytes - limits.compressedBytes / 2048 - 1024)
    }

    /// The most bytes `change` adds to a body: its record, and the table entries it may add
    /// (table and field names, currency, row id, node id).
    public static func bound(of change: Change) -> Int {
        // Header, table, row and field refs, HLC delta and counter, node ref, prev distance and counter.
        let record = 1 + 3 * varint + wideVarint + varint + varint + wideVarint + varint
        let names = 2 * varint + change.table.utf8.count + change.field.utf8.count + 2 * id
        return record + names + bound(of: change.value)
    }

    /// The most bytes a value adds after its change header (a currency as a new table string).
    public static func bound(of value: Value) -> Int {
        switch value {
        case .null: 0
        case .integer, .date, .bool: wideVarint
        case .real: 8
        case .money(let money): wideVarint + 2 * varint + money.currency.utf8.count
        case .text(let text): varint + text.utf8.count
        }
    }

    /// The most bytes one node-directory entry (and its node table entry) adds.
    public static func bound(ofDirectoryEntry name: String) -> Int { 2 * varint + id + name.utf8.count }

    /// The most bytes one refusal adds.
    public static func bound(ofRefusal reason: String) -> Int { wideVarint + 1 + varint + reason.utf8.count }
}
