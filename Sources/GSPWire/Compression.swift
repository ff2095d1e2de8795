@preconcurrency import CZlib

/// zlib (RFC 1950: deflate with an Adler-32 checksum) through the system library; the only
/// file that touches CZlib.
enum Compression {
    /// Compresses `bytes` into one complete zlib stream, appended to `output`.
    static func deflate(_ bytes: [UInt8], level: Int32, appendingTo output: inout [UInt8]) {
        var stream = z_stream()
        guard czlib_deflate_init(&stream, level) == Z_OK else { fatalError("zlib deflateInit failed: out of memory") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        let start = output.count
        var status: Int32 = Z_OK
        output.reserveCapacity(start + bound)
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            let compressed = [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                // One call suffices: the output has deflateBound bytes of room.
                status = CZlib.deflate(&stream, Z_FINISH)
                initialized = Int(stream.total_out)
            }
            output.append(contentsOf: compressed)
        }
        precondition(status == Z_STREAM_END, "zlib deflate with deflateBound room returned \(status)")
    }

    /// Inflates one zlib stream that must fill `input` exactly and produce exactly `expected`
    /// bytes. Inflating stops as soon as output would pass `expected`: a zip bomb costs at
    /// most `expected + 1` bytes, never the size it would inflate to.
    static func inflate(_ input: ArraySlice<UInt8>, expected: Int, frameOffset: Int) throws(WireError) -> [UInt8] {
        func fail(_ message: String, _ offset: Int) -> WireError {
            WireError(.malformedFrame, message, offset: offset, region: .frame)
        }
        var stream = z_stream()
        guard czlib_inflate_init(&stream) == Z_OK else { fatalError("zlib inflateInit failed: out of memory") }
        defer { inflateEnd(&stream) }
        // Grow the output as data arrives rather than trusting the declared size up front.
        // Each buffer is left uninitialized (zlib writes it): zero-filling cost as much as a
        // tenth of inflating.
        var output: [UInt8] = []
        var status: Int32 = Z_OK
        var produced = 0
        var room = 0
        input.withUnsafeBufferPointer { inp in
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            stream.avail_in = uInt(inp.count)
            repeat {
                room = room == 0 ? min(expected + 1, max(65_536, inp.count * 4)) : min(expected + 1, room * 2)
                output = [UInt8](unsafeUninitializedCapacity: room) { out, initialized in
                    output.withUnsafeBufferPointer { old in
                        if let from = old.baseAddress { out.baseAddress!.initialize(from: from, count: old.count) }
                    }
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(room - produced)
                    // With room for the whole declared body, Z_FINISH spares zlib keeping a window copy.
                    status = CZlib.inflate(&stream, room > expected ? Z_FINISH : Z_NO_FLUSH)
                    produced = room - Int(stream.avail_out)
                    initialized = produced
                }
            } while status == Z_OK && produced == room && produced <= expected
        }
        let consumed = Int(stream.total_in)
        if produced > expected {
            throw fail("the zlib stream inflates past the declared body length \(expected)", frameOffset + consumed)
        }
        switch status {
        case Z_STREAM_END: break
        case Z_DATA_ERROR:
            let reason = stream.msg.map { String(cString: $0) } ?? "invalid data"
            throw fail("corrupt zlib stream: \(reason)", frameOffset + consumed)
        case Z_BUF_ERROR, Z_OK:
            throw fail("truncated zlib stream", frameOffset + consumed)
        default:
            throw fail("zlib inflate failed with status \(status)", frameOffset + consumed)
        }
        guard consumed == input.count else {
            throw fail("\(input.count - consumed) bytes after the end of the zlib stream", frameOffset + consumed)
        }
        guard produced == expected else {
            throw fail("the body inflates to \(produced) bytes, the header declares \(expected)", frameOffset + consumed)
        }
        return output
    }
}
