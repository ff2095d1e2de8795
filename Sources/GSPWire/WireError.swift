/// A numbered reason a frame or a sync was refused; the numbers are the wire protocol's.
///
/// A struct rather than an enum so that a code from a newer peer survives decoding.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The frame is not well formed: bad magic, truncated, corrupt zlib stream, bad reference.
    public static let malformedFrame = ErrorCode(rawValue: 1)
    /// The frame's major version is not one this reader speaks.
    public static let unsupportedVersion = ErrorCode(rawValue: 2)
    /// The frame's message kind is unknown.
    public static let unknownMessageKind = ErrorCode(rawValue: 3)
    /// The frame is over one of the hard limits (sizes, counts, string length).
    public static let tooLarge = ErrorCode(rawValue: 4)
    /// No valid credentials.
    public static let unauthorized = ErrorCode(rawValue: 5)
    /// Valid credentials, but this user may not do this.
    public static let forbidden = ErrorCode(rawValue: 6)
    /// The client's clock is too far ahead of the server's; the error carries the server time.
    public static let clockSkew = ErrorCode(rawValue: 7)
    /// The client's known server epoch is not the server's: the server was restored or replaced.
    public static let epochMismatch = ErrorCode(rawValue: 8)
    /// Something failed on the server; retrying later may help.
    public static let internalError = ErrorCode(rawValue: 9)

    public static let known: [ErrorCode] = [.malformedFrame, .unsupportedVersion, .unknownMessageKind, .tooLarge,
                                            .unauthorized, .forbidden, .clockSkew, .epochMismatch, .internalError]

    /// The name used in SPEC.md and in the test vectors' manifest.
    public var name: String {
        switch self {
        case .malformedFrame: "malformedFrame"
        case .unsupportedVersion: "unsupportedVersion"
        case .unknownMessageKind: "unknownMessageKind"
        case .tooLarge: "tooLarge"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .clockSkew: "clockSkew"
        case .epochMismatch: "epochMismatch"
        case .internalError: "internal"
        default: "code\(rawValue)"
        }
    }

    public var description: String { name }
}

/// Why a frame could not be decoded: a code, a message naming what is wrong, and where.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where `offset` counts from.
    public enum Region: String, Sendable {
        /// The frame as received (header, compressed stream).
        case frame
        /// The inflated message body.
        case body
    }

    public var code: ErrorCode
    public var message: String
    public var offset: Int
    public var region: Region

    public init(_ code: ErrorCode, _ message: String, offset: Int, region: Region) {
        self.code = code
        self.message = message
        self.offset = offset
        self.region = region
    }

    public var description: String { "\(code.name): \(message) (at \(region.rawValue) offset \(offset))" }
}
