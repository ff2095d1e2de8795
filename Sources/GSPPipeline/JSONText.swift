/// JSON string literals, written by hand so output is stable and keys keep their order.
public enum JSONText {
    /// `s` as a quoted JSON string: only the escapes JSON requires, everything else stays UTF-8.
    /// `htmlSafe` also escapes `<`, `>`, U+2028 and U+2029, so the JSON can sit inside an HTML page.
    public static func quoted(_ s: String, htmlSafe: Bool = false) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where htmlSafe, ">" where htmlSafe, "\u{2028}" where htmlSafe, "\u{2029}" where htmlSafe:
                out += unicodeEscape(scalar)
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
