import GSPCore

/// The server's answer when it refuses a whole sync: a code, a message for people, and
/// for `clockSkew` the server's time so the client can re-stamp its unacknowledged changes.
public struct ErrorMessage: Hashable, Sendable, Error {
    public var code: ErrorCode
    public var message: String
    public var serverTime: HLC?

    public init(code: ErrorCode, message: String, serverTime: HLC? = nil) {
        self.code = code
        self.message = message
        self.serverTime = serverTime
    }

    /// Writes the body: an empty tables section, then one section of code, message and server time.
    public func encode(into writer: inout ByteWriter) {
        TableBuilder().write(into: &writer)
        writer.writeSection { w in
            w.writeVarInt(UInt64(code.rawValue))
            w.writeString(message)
            w.writeBool(serverTime != nil)
            if let serverTime { w.writeVarInt(serverTime.rawValue) }
        }
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> ErrorMessage {
        _ = try FrameTables.read(from: &reader)
        let error = try reader.readSection("error") { (r: inout ByteReader) throws(WireError) in
            let code = ErrorCode(rawValue: try r.readUInt32("error code"))
            let message = try r.readString("error message")
            let time = try r.readBool("server time flag") ? HLC(rawValue: try r.readVarInt("server time")) : nil
            return ErrorMessage(code: code, message: message, serverTime: time)
        }
        try reader.skipUnknownSections()
        return error
    }
}
