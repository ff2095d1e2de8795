import Foundation

/// A raw cursor over body bytes for the hot loop of change records. It makes every check
/// `ByteReader` makes but builds no error: a read that fails returns nil, and the caller
/// re-reads the record with `ByteReader`, which names the error and its offset.
/// (Error text, autoclosures and typed throws per byte cost more than the decoding itself.)
struct ByteCursor {
    let base: UnsafePointer<UInt8>
    var offset: Int
    let end: Int

    @inline(__always)
    mutating func byte() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return base[offset]
    }

    /// A minimally encoded LEB128 varint fitting 64 bits (ByteReader.readVarInt's rules).
    @inline(__always)
    mutating func varInt() -> UInt64? {
        guard offset < end else { return nil }
        let first = base[offset]
        // Most varints here (references, deltas, small values) are one byte.
        if first < 0x80 {
            offset += 1
            return UInt64(first)
        }
        // Two and three bytes (row references, HLC and date deltas) are next most common; a
        // last byte 0 is not minimal.
        if offset + 2 < end {
            let second = base[offset + 1]
            if second &- 1 < 0x7F {
                offset += 2
                return UInt64(first & 0x7F) | UInt64(second) << 7
            }
            let third = base[offset + 2]
            if second >= 0x80, third &- 1 < 0x7F {
                offset += 3
                return UInt64(first & 0x7F) | UInt64(second & 0x7F) << 7 | UInt64(third) << 14
            }
        }
        return multiByteVarInt()
    }

    /// The rest of `varInt`, kept out of line; it is only reached with the first byte's high
    /// bit set, so a last byte of 0 is never minimal here.
    @inline(never)
    mutating func multiByteVarInt() -> UInt64? {
        if end - offset >= 8 {
            // Up to 8 bytes at once: find the last byte (high bit clear), then gather the
            // 7-bit groups, with no loop and one branch per varint rather than one per byte.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            if stops != 0 {
                let length = stops.trailingZeroBitCount / 8 + 1
                let bytes = length == 8 ? word : word & ((1 << (8 * UInt64(length))) - 1)
                guard bytes >> (8 * UInt64(length - 1)) != 0 else { return nil }  // not minimal
                var value = bytes & 0x7F
                value |= (bytes >> 1) & (0x7F << 7)
                value |= (bytes >> 2) & (0x7F << 14)
                value |= (bytes >> 3) & (0x7F << 21)
                value |= (bytes >> 4) & (0x7F << 28)
                value |= (bytes >> 5) & (0x7F << 35)
                value |= (bytes >> 6) & (0x7F << 42)
                value |= (bytes >> 7) & (0x7F << 49)
                offset += length
                return value
            }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < end {
            let byte = base[i]
            i += 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 { return nil }
                offset = i
                return result
            }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    mutating func zigZag() -> Int64? {
        guard let raw = varInt() else { return nil }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A varint reference that must name one of `count` table entries.
    @inline(__always)
    mutating func reference(below count: Int) -> Int? {
        guard let ref = varInt(), ref < UInt64(count) else { return nil }
        return Int(ref)
    }

    @inline(__always)
    mutating func uint64LE() -> UInt64? {
        guard end - offset >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// A length-prefixed UTF-8 string of at most `limit` bytes; a repeat of a string `cache`
    /// holds comes from the cache.
    @inline(__always)
    mutating func string(limit: Int, cache: inout TextCache) -> String? {
        guard let length = varInt(), length <= UInt64(limit), Int(length) <= end - offset else { return nil }
        let count = Int(length)
        guard let text = cache.text(base: base, at: offset, count: count) else { return nil }
        offset += count
        return text
    }
}

/// Strings from wire bytes, refused unless they are valid UTF-8, and never normalized.
enum UTF8Text {
    /// The string holding exactly `bytes`, or nil when they are not valid UTF-8.
    @inline(__always)
    static func validated(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // The non-generic decoding path is several times faster than String(validating:as:),
        // which resolves generic metadata on every call. Decoding repairs invalid sequences
        // with U+FFFD, so the result spells the input back only when the input was valid.
        var text = String(decoding: bytes, as: UTF8.self)
        let same = text.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        return same ? text : nil
    }
}
