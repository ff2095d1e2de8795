import Foundation

/// One decoded message of any kind.
public enum Message: Hashable, Sendable {
    case request(SyncRequest)
    case response(SyncResponse)
    case error(ErrorMessage)

    /// The kind byte of the frame header.
    public var kind: UInt8 {
        switch self {
        case .request: Frame.Kind.request
        case .response: Frame.Kind.response
        case .error: Frame.Kind.error
        }
    }
}

/// A whole frame: "GSPS", major and minor version, message kind, declared body length,
/// then the body as one zlib stream (SPEC.md, "Frame").
public enum Frame {
    public static let magic: [UInt8] = Array("GSPS".utf8)
    public static let majorVersion: UInt8 = 1
    public static let minorVersion: UInt8 = 0

    public enum Kind {
        public static let request: UInt8 = 1
        public static let response: UInt8 = 2
        public static let error: UInt8 = 3
    }

    /// Encodes a message. The encoder does not check `Limits`: a sender pages its changes
    /// so that a frame stays under them (`Limits.changesPerFrame` is the count to page by).
    public static func encode(_ message: Message, level: Int32 = 6) -> Data {
        Data(encodeBytes(message, level: level))
    }

    public static func encodeBytes(_ message: Message, level: Int32 = 6) -> [UInt8] {
        let body = encodeBody(message)
        return frame(kind: message.kind, body: body, level: level)
    }

    /// The inflated body of a message: the part that is canonical, byte for byte.
    public static func encodeBody(_ message: Message) -> [UInt8] {
        var writer = ByteWriter(capacity: 1024)
        switch message {
        case .request(let m): m.encode(into: &writer)
        case .response(let m): m.encode(into: &writer)
        case .error(let m): m.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Wraps a body in a frame header and a zlib stream (also used to build test frames).
    public static func frame(kind: UInt8, body: [UInt8], major: UInt8 = majorVersion, minor: UInt8 = minorVersion,
                             level: Int32 = 6) -> [UInt8] {
        var writer = ByteWriter(capacity: body.count / 3 + 64)
        writer.writeBytes(magic)
        writer.writeByte(major)
        writer.writeByte(minor)
        writer.writeByte(kind)
        writer.writeVarInt(UInt64(body.count))
        var out = writer.bytes
        Compression.deflate(body, level: level, appendingTo: &out)
        return out
    }

    public static func decode(_ data: Data, limits: Limits = .standard) throws(WireError) -> Message {
        guard data.count <= limits.compressedBytes else { throw frameTooLarge(data.count, limits) }
        return try decode([UInt8](data), limits: limits)
    }

    /// Decodes a frame, checking in the order SPEC.md gives, so every reader reports the same code.
    public static func decode(_ bytes: [UInt8], limits: Limits = .standard) throws(WireError) -> Message {
        let header = try readHeader(bytes, limits: limits)
        let body = try Compression.inflate(bytes[header.bodyStart...], expected: header.bodyLength,
                                           frameOffset: header.bodyStart)
        var reader = ByteReader(body, limits: limits)
        switch header.kind {
        case Kind.request: return .request(try SyncRequest.decode(from: &reader))
        case Kind.response: return .response(try SyncResponse.decode(from: &reader))
        default: return .error(try ErrorMessage.decode(from: &reader))
        }
    }

    struct Header {
        var minor: UInt8
        var kind: UInt8
        var bodyLength: Int
        var bodyStart: Int
    }

    static func readHeader(_ bytes: [UInt8], limits: Limits) throws(WireError) -> Header {
        guard bytes.count <= limits.compressedBytes else { throw frameTooLarge(bytes.count, limits) }
        func fail(_ code: ErrorCode, _ message: String, _ offset: Int) -> WireError {
            WireError(code, message, offset: offset, region: .frame)
        }
        for i in 0..<4 {
            guard i < bytes.count else { throw fail(.malformedFrame, "truncated frame header: \(bytes.count) bytes", i) }
            guard bytes[i] == magic[i] else { throw fail(.malformedFrame, "not a GSP Sync frame: the magic is not \"GSPS\"", i) }
        }
        guard bytes.count >= 7 else { throw fail(.malformedFrame, "truncated frame header: \(bytes.count) bytes", bytes.count) }
        guard bytes[4] == majorVersion else {
            throw fail(.unsupportedVersion, "protocol version \(bytes[4]).\(bytes[5]) is not supported: this reader speaks \(majorVersion).x", 4)
        }
        let kind = bytes[6]
        guard (Kind.request...Kind.error).contains(kind) else {
            throw fail(.unknownMessageKind, "unknown message kind \(kind)", 6)
        }
        // The declared body length is a varint like any other; reuse the body reader on the header bytes.
        var reader = ByteReader(Array(bytes[7..<min(bytes.count, 17)]))
        let length: UInt64
        do { length = try reader.readVarInt("body length") } catch {
            throw fail(.malformedFrame, "body length: \(error.message)", 7 + error.offset)
        }
        guard length <= UInt64(limits.inflatedBytes) else {
            throw fail(.tooLarge, "the body declares \(length) bytes, over the limit of \(limits.inflatedBytes)", 7)
        }
        return Header(minor: bytes[5], kind: kind, bodyLength: Int(length), bodyStart: 7 + reader.offset)
    }

    static func frameTooLarge(_ count: Int, _ limits: Limits) -> WireError {
        WireError(.tooLarge, "the frame is \(count) bytes, over the limit of \(limits.compressedBytes)", offset: 0, region: .frame)
    }
}
