import Foundation
import GSPCore

/// Reads a message body front to back. Every read checks bounds and throws `malformedFrame`
/// naming what it was reading and the body offset; `read...` consumes, `peek...` does not.
public struct ByteReader: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// The next byte to read, counted from the start of the body.
    public private(set) var offset: Int
    /// The end of the current section (or of the body): reads never pass it.
    public private(set) var end: Int
    public let limits: Limits

    public init(_ bytes: [UInt8], limits: Limits = .standard) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.limits = limits
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    /// A `malformedFrame` error at the current offset.
    public func malformed(_ message: String) -> WireError {
        WireError(.malformedFrame, message, offset: offset, region: .body)
    }

    func tooLarge(_ message: String) -> WireError {
        WireError(.tooLarge, message, offset: offset, region: .body)
    }

    public func peekByte() -> UInt8? { offset < end ? bytes[offset] : nil }

    public mutating func readByte(_ what: @autoclosure () -> String = "a byte") throws(WireError) -> UInt8 {
        guard offset < end else { throw malformed("truncated: expected \(what())") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An unsigned LEB128 varint of at most 10 bytes, minimally encoded, fitting 64 bits.
    public mutating func readVarInt(_ what: @autoclosure () -> String = "a varint") throws(WireError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw malformed("truncated varint (\(what()))") }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 {
                offset = start
                throw malformed("varint overflows 64 bits (\(what()))")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    offset = start
                    throw malformed("varint not minimally encoded (\(what()))")
                }
                return result
            }
            shift += 7
        }
    }

    /// A zigzag-encoded signed varint.
    public mutating func readZigZag(_ what: @autoclosure () -> String = "a signed varint") throws(WireError) -> Int64 {
        let raw = try readVarInt(what())
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readUInt32(_ what: @autoclosure () -> String) throws(WireError) -> UInt32 {
        let start = offset
        let raw = try readVarInt(what())
        guard let value = UInt32(exactly: raw) else {
            offset = start
            throw malformed("\(what()) \(raw) does not fit 32 bits")
        }
        return value
    }

    /// A byte that must be 0 or 1.
    public mutating func readBool(_ what: @autoclosure () -> String) throws(WireError) -> Bool {
        let byte = try readByte(what())
        guard byte <= 1 else {
            offset -= 1
            throw malformed("\(what()) must be 0 or 1, found \(byte)")
        }
        return byte == 1
    }

    public mutating func readUInt64LE(_ what: @autoclosure () -> String) throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw malformed("truncated: expected 8 bytes of \(what())") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    public mutating func readUUID(_ what: @autoclosure () -> String) throws(WireError) -> UUID {
        guard remaining >= 16 else { throw malformed("truncated: expected 16 bytes of \(what())") }
        let o = offset
        offset += 16
        // One 16-byte copy rather than sixteen checked subscripts (row tables hold thousands).
        return bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(fromByteOffset: o, as: uuid_t.self)) }
    }

    /// A varint length, then that many bytes of valid UTF-8 (kept exactly; never normalized).
    public mutating func readString(_ what: @autoclosure () -> String) throws(WireError) -> String {
        let start = offset
        let length = try readVarInt("length of \(what())")
        guard length <= UInt64(limits.stringBytes) else {
            offset = start
            throw tooLarge("\(what()) is \(length) bytes, over the limit of \(limits.stringBytes)")
        }
        let count = Int(length)
        guard count <= remaining else {
            offset = start
            throw malformed("truncated: \(what()) claims \(count) bytes, \(remaining) left")
        }
        let text: String? = bytes.withUnsafeBufferPointer { buffer in
            UTF8Text.validated(UnsafeBufferPointer(rebasing: buffer[offset..<offset + count]))
        }
        guard let text else { throw malformed("\(what()) is not valid UTF-8") }
        offset += count
        return text
    }

    /// Runs `body` on a raw cursor over the rest of the current section, then moves to
    /// where the cursor stopped. An empty body gets no cursor.
    @inline(__always)
    mutating func withCursor(_ body: (inout ByteCursor) -> Void) {
        let start = offset
        let sectionEnd = end
        offset = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return start }
            var cursor = ByteCursor(base: base, offset: start, end: sectionEnd)
            body(&cursor)
            return cursor.offset
        }
    }

    /// A list or table count, refused when over `limit` (`tooLarge`) or when the bytes left
    /// cannot hold that many entries of at least `minimumBytes` each (`malformedFrame`),
    /// so a hostile count never causes a large allocation.
    public mutating func readCount(_ what: String, limit: Int, minimumBytes: Int) throws(WireError) -> Int {
        let start = offset
        let raw = try readVarInt("count of \(what)")
        guard raw <= UInt64(limit) else {
            offset = start
            throw tooLarge("\(raw) \(what), over the limit of \(limit)")
        }
        guard raw * UInt64(minimumBytes) <= UInt64(remaining) else {
            offset = start
            throw malformed("truncated: \(raw) \(what) cannot fit in the \(remaining) bytes left")
        }
        return Int(raw)
    }

    /// Reads one length-prefixed section with `body`, then skips whatever the section holds
    /// after the fields this version knows (fields added by a newer minor version).
    public mutating func readSection<T>(_ name: String,
                                        _ body: (inout ByteReader) throws(WireError) -> T) throws(WireError) -> T {
        let start = offset
        let length = try readVarInt("length of the \(name) section")
        guard length <= UInt64(remaining) else {
            offset = start
            throw malformed("truncated: the \(name) section claims \(length) bytes, \(remaining) left")
        }
        let outerEnd = end
        end = offset + Int(length)
        let value = try body(&self)
        offset = end
        end = outerEnd
        return value
    }

    /// Skips the length-prefixed sections a newer minor version appended; they must be whole.
    public mutating func skipUnknownSections() throws(WireError) {
        while !isAtEnd { _ = try readSection("unknown") { (_: inout ByteReader) throws(WireError) in () } }
    }
}
