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
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
    public var description: String { uuid.uuidString.lowercased() }
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

    /// Lower-case canonical text, the form used in fields that reference rows.
    public var lowercased: String { uuidString.lowercased() }
}
