import Foundation

/// A replica's identity: 16 random bytes, ordered as unsigned bytes for tie-breaks.
public struct NodeID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID
    public init(_ uuid: UUID = UUID()) { self.uuid = uuid }
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }
    public var bytes: [UInt8] { uuid.bytes }
    public init(bytes: [UInt8]) { uuid = UUID(bytes: bytes) }
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        // Compares the 16 bytes in place (this runs on every merge tie): no arrays.
        withUnsafeBytes(of: lhs.uuid) { a in withUnsafeBytes(of: rhs.uuid) { b in a.lexicographicallyPrecedes(b) } }
    }
    public var description: String { uuid.lowercased }
}

/// Every replicated row is named by a UUID.
public typealias RowID = UUID

extension UUID {
    /// The 16 bytes in order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: uuid) { Array($0) }
    }

    /// Builds a UUID from exactly 16 bytes (missing bytes are zero).
    public init(bytes: [UInt8]) {
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { buffer in
            for (i, b) in bytes.prefix(16).enumerated() { buffer[i] = b }
        }
        self.init(uuid: raw)
    }

    /// Lower-case canonical text, the form used in fields that reference rows. Formatted by
    /// hand: Foundation's `uuidString` goes through printf on Linux, and this is on every write.
    public var lowercased: String {
        withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var i = 0
                for (n, byte) in raw.enumerated() {
                    if n == 4 || n == 6 || n == 8 || n == 10 { out[i] = UInt8(ascii: "-"); i += 1 }
                    out[i] = UUIDText.digits[Int(byte >> 4)]
                    out[i + 1] = UUIDText.digits[Int(byte & 0x0F)]
                    i += 2
                }
                return i
            }
        }
    }
}

extension UUID {
    /// Parses the canonical 36-character form, hex digits in either case with hyphens at
    /// offsets 8, 13, 18 and 23; nil for anything else. By hand, for the same reason as
    /// `lowercased`: a PostgreSQL merge or pull reads thousands of ids.
    public init?(canonicalUTF8 text: UnsafeRawBufferPointer) {
        guard text.count == 36 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var i = 0
            for n in 0..<16 {
                if n == 4 || n == 6 || n == 8 || n == 10 {
                    guard text[i] == UInt8(ascii: "-") else { return false }
                    i += 1
                }
                guard let high = UUIDText.nibble(text[i]), let low = UUIDText.nibble(text[i + 1]) else { return false }
                out[n] = high << 4 | low
                i += 2
            }
            return true
        }
        guard parsed else { return nil }
        self.init(uuid: raw)
    }
}

private enum UUIDText {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
