/// What the wire protocol can carry (protocol/SPEC.md, "Limits"), checked where a value is
/// written, so that no change is stored that no sync could ever send.
public enum ValueLimits {
    /// UTF-8 bytes of any one string on the wire: a text value, a currency code, a name.
    /// 1 MiB plus 64 KiB, so a 1 MiB text value is legal.
    public static let stringBytes = 0x11_0000
    /// Why a change to `table`.`field` setting `value` could never be synced, or nil. The
    /// message names the field and the limit. (Names have their own rule: `Schema.isValidName`.)
    public static func problem(table: String, field: String, value: Value) -> String? {
        switch value {
        case .text(let text) where text.utf8.count > stringBytes:
            return "\(table).\(field): the text is \(grouped(text.utf8.count)) bytes, over the limit of \(grouped(stringBytes)) bytes "
                + "(1 MiB plus 64 KiB) that a synced value may hold: shorten it"
        case .money(let money) where money.currency.utf8.count > stringBytes:
            return "\(table).\(field): the currency code is \(grouped(money.currency.utf8.count)) bytes, over the limit of \(grouped(stringBytes))"
        default:
            return nil
        }
    }

    /// `text` cut to about `limit` characters for display, saying how much was left out.
    public static func abbreviated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return "\(text.prefix(max(1, limit)))… (\(grouped(text.utf8.count)) bytes in all)"
    }

    /// 1114112 as "1,114,112".
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

extension Value {
    /// The value as text for display, cut to about `limit` characters (see `ValueLimits.abbreviated`).
    public func abbreviated(to limit: Int = 200) -> String {
        ValueLimits.abbreviated(description, to: limit)
    }
}
