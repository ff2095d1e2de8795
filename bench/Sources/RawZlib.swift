@preconcurrency import CZlib

/// The physical limit of the wire codec: plain zlib on the same bytes, with no framing,
/// no limits and no change records. Called directly so the reference owes nothing to GSPWire.
enum RawZlib {
    /// One complete zlib stream of `bytes` at `level`.
    static func deflate(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        precondition(czlib_deflate_init(&stream, level) == Z_OK, "zlib deflateInit failed")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var status: Int32 = Z_OK
        let out = bytes.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                status = CZlib.deflate(&stream, Z_FINISH)
                initialized = Int(stream.total_out)
            }
        }
        precondition(status == Z_STREAM_END, "zlib deflate returned \(status)")
        return out
    }

    /// Inflates one zlib stream whose inflated size is known.
    static func inflate(_ bytes: ArraySlice<UInt8>, size: Int) -> [UInt8] {
        var stream = z_stream()
        precondition(czlib_inflate_init(&stream) == Z_OK, "zlib inflateInit failed")
        defer { inflateEnd(&stream) }
        var status: Int32 = Z_OK
        let out = bytes.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: size) { out, initialized in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(size)
                status = CZlib.inflate(&stream, Z_FINISH)
                initialized = Int(stream.total_out)
            }
        }
        precondition(status == Z_STREAM_END, "zlib inflate returned \(status)")
        return out
    }
}
