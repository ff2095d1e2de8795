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
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return .text(literal + "}")
    }

    /// A `text[]` literal whose nil elements are NULL.
    public static func optionalTextArray(_ values: [String?]) -> PostgresParameter {
        let quoted = values.map { value -> String in
            guard let value else { return "NULL" }
            guard case .text(let literal) = textArray([value]) else { return "NULL" }
            return String(literal.dropFirst().dropLast())
        }
        return .text("{" + quoted.joined(separator: ",") + "}")
    }

    /// A `bigint[]` literal.
    public static func integerArray(_ values: [Int64]) -> PostgresParameter {
        .text("{" + values.map(String.init).joined(separator: ",") + "}")
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
