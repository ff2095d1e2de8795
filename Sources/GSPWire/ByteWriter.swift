import Foundation

/// Appends the protocol's primitive encodings to a growing byte array.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func writeByte(_ byte: UInt8) { bytes.append(byte) }

    public mutating func writeBytes<C: Collection>(_ other: C) where C.Element == UInt8 {
        bytes.append(contentsOf: other)
    }

    /// Unsigned LEB128: seven bits per byte, low group first, high bit set on all but the last.
    public mutating func writeVarInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zigzag (0, -1, 1, -2 ... as 0, 1, 2, 3 ...), then a varint.
    public mutating func writeZigZag(_ value: Int64) {
        writeVarInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeUInt64LE(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    public mutating func writeUUID(_ uuid: UUID) {
        withUnsafeBytes(of: uuid.uuid) { bytes.append(contentsOf: $0) }
    }

    /// A varint byte length, then the UTF-8 bytes exactly as the string holds them.
    public mutating func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            writeVarInt(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a section: its byte length as a varint, then what `body` writes.
    public mutating func writeSection(_ body: (inout ByteWriter) -> Void) {
        var inner = ByteWriter(capacity: 64)
        body(&inner)
        writeVarInt(UInt64(inner.count))
        bytes.append(contentsOf: inner.bytes)
    }
}
