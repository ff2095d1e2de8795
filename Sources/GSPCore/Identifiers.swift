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

private enum UUIDText {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
