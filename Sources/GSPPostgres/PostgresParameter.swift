/// A statement parameter: sent as text (the server casts it to the column's type) or, for
/// `bytes`, as raw binary. Never interpolated into the SQL.
public enum PostgresParameter: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case bytes([UInt8])
    case bool(Bool)

    public static func optional(_ text: String?) -> PostgresParameter { text.map(PostgresParameter.text) ?? .null }

    /// A `text[]` literal, for `= ANY($1::text[])` and `unnest($1::text[])`.
    public static func textArray(_ values: [String]) -> PostgresParameter {
        var literal = ArrayLiteral(capacity: values.count * 40)
        for value in values { literal.append(value) }
        return literal.parameter
    }

    /// A `text[]` literal whose nil elements are NULL.
    public static func optionalTextArray(_ values: [String?]) -> PostgresParameter {
        var literal = ArrayLiteral(capacity: values.count * 40)
        for value in values { if let value { literal.append(value) } else { literal.appendNull() } }
        return literal.parameter
    }

    /// A `bigint[]` literal.
    public static func integerArray(_ values: [Int64]) -> PostgresParameter {
        optionalIntegerArray(values)
    }

    /// A `bigint[]` (or `smallint[]`) literal whose nil elements are NULL.
    public static func optionalIntegerArray(_ values: [Int64?]) -> PostgresParameter {
        var literal = ArrayLiteral(capacity: values.count * 12)
        for value in values { if let value { literal.appendBare(String(value)) } else { literal.appendNull() } }
        return literal.parameter
    }

    /// A `boolean[]` literal.
    public static func boolArray(_ values: [Bool]) -> PostgresParameter {
        var literal = ArrayLiteral(capacity: values.count * 2)
        for value in values { literal.appendBare(value ? "t" : "f") }
        return literal.parameter
    }

    /// A `bytea[]` literal (hex format) whose nil elements are NULL.
    public static func byteaArray(_ values: [[UInt8]?]) -> PostgresParameter {
        var literal = ArrayLiteral(capacity: values.count * 24)
        for value in values { if let value { literal.appendHex(value) } else { literal.appendNull() } }
        return literal.parameter
    }

    /// The bytes libpq sends and whether they are in binary format.
    var wire: (bytes: [UInt8], binary: Bool)? {
        switch self {
        case .null: nil
        case .text(let value): (Array(value.utf8), false)
        case .integer(let value): (Array(String(value).utf8), false)
        case .bytes(let value): (value, true)
        case .bool(let value): (Array((value ? "t" : "f").utf8), false)
        }
    }
}

/// The text form of a one-dimensional array, `{"a","b",NULL}`, built as bytes.
private struct ArrayLiteral {
    private var bytes: [UInt8] = [0x7B]  // {
    private var empty = true

    init(capacity: Int) { bytes.reserveCapacity(capacity + 2) }

    private mutating func separate() {
        if !empty { bytes.append(0x2C) }  // ,
        empty = false
    }

    /// A quoted element: quotes and backslashes escaped, anything else as is.
    mutating func append(_ value: String) {
        separate()
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            // Most values need no escape: copied in one go.
            guard utf8.contains(where: { $0 == 0x22 || $0 == 0x5C }) else { return bytes.append(contentsOf: utf8) }
            for byte in utf8 {
                if byte == 0x22 || byte == 0x5C { bytes.append(0x5C) }
                bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// An element that needs no quotes (a number, t or f).
    mutating func appendBare(_ value: String) {
        separate()
        bytes += value.utf8
    }

    mutating func appendNull() {
        separate()
        bytes += "NULL".utf8
    }

    /// A bytea element in hex format: `"\\x0aff"` (the backslash escaped for the array syntax).
    mutating func appendHex(_ value: [UInt8]) {
        separate()
        bytes += [0x22, 0x5C, 0x5C, 0x78]
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in value {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        bytes.append(0x22)
    }

    var parameter: PostgresParameter {
        var closed = bytes
        closed.append(0x7D)  // }
        return .text(String(decoding: closed, as: UTF8.self))
    }
}
