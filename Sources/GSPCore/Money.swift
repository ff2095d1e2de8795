/// An exact amount of money: integer minor units (cents) of an ISO 4217 currency.
/// Never passes through binary floating point.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public var minorUnits: Int64
    /// Three upper-case letters, such as "USD".
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Digits after the decimal point for the currency (ISO 4217, see `Currency`; 2 when not listed).
    public static func minorDigits(of currency: String) -> Int { Currency.minorDigits[currency] ?? 2 }

    public var minorDigits: Int { Money.minorDigits(of: currency) }

    /// Parses "45000 USD", "USD 45000.50", "1,200.5 EUR".
    public static func parse(_ text: String) throws(DomainError) -> Money {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let usage = "write money as an amount and an ISO currency code, such as '45000 USD' or '99.50 EUR'"
        guard parts.count == 2 else { throw DomainError("malformed money '\(text)': \(usage)") }
        let (amount, code) = isCurrencyCode(parts[1]) ? (parts[0], parts[1]) : (parts[1], parts[0])
        guard isCurrencyCode(code) else { throw DomainError("malformed money '\(text)': no currency code; \(usage)") }
        let currency = code.uppercased()
        guard Currency.isKnown(currency) else {
            throw DomainError("unknown currency '\(code)' in '\(text)': write an active ISO 4217 code, such as USD, EUR or JPY")
        }
        guard let plain = plainAmount(amount) else {
            throw DomainError("malformed money '\(text)': a comma may only separate thousands, as in '1,200.50'; "
                              + "write decimals after a point, such as '12.5 \(currency)'")
        }
        let digits = minorDigits(of: currency)
        guard let minor = parseDecimal(plain, digits: digits) else {
            if isDecimal(plain, digits: digits) {
                let largest = Money(minorUnits: plain.hasPrefix("-") ? .min : .max, currency: currency)
                throw DomainError("amount too large in '\(text)': the largest is \(largest.amountText) \(currency)")
            }
            throw DomainError("malformed money '\(text)': '\(amount)' is not an amount with at most \(digits) decimals for \(currency); \(usage)")
        }
        return Money(minorUnits: minor, currency: currency)
    }

    /// "1,200,000.50" as "1200000.50"; nil when a comma does not sit between groups of three
    /// digits ("12,5", "1.200,50"): read as a thousands separator, a decimal comma would
    /// multiply the amount.
    public static func plainAmount(_ text: String) -> String? {
        guard text.contains(",") else { return text }
        var unsigned = Substring(text), sign = ""
        if unsigned.first == "-" || unsigned.first == "+" { sign = String(unsigned.removeFirst()) }
        let point = unsigned.firstIndex(of: ".") ?? unsigned.endIndex
        let groups = unsigned[..<point].split(separator: ",", omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
              !unsigned[point...].contains(",") else { return nil }
        return sign + groups.joined() + unsigned[point...]
    }

    static func isCurrencyCode(_ s: String) -> Bool {
        s.count == 3 && s.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// True when `text` is a decimal number with at most `digits` decimals, whatever its size.
    static func isDecimal(_ text: String, digits: Int) -> Bool {
        let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        let pieces = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, !pieces[0].isEmpty, pieces.dropFirst().first.map({ $0.count <= digits }) ?? true else { return false }
        return pieces.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// Exact decimal text to an integer scaled by 10^digits; nil when malformed, too precise or too large.
    public static func parseDecimal(_ text: String, digits: Int) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first, !whole.isEmpty || pieces.count == 2 else { return nil }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        guard fraction.count <= digits, !(whole.isEmpty && fraction.isEmpty),
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let padded = String(whole + fraction) + String(repeating: "0", count: digits - fraction.count)
        guard let magnitude = UInt64(padded.isEmpty ? "0" : padded) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// The amount as exact decimal text, without the currency: "45000.00".
    public var amountText: String {
        let digits = minorDigits
        let magnitude = minorUnits.magnitude
        var whole = String(magnitude)
        if digits > 0 {
            if whole.count <= digits { whole = String(repeating: "0", count: digits - whole.count + 1) + whole }
            whole.insert(".", at: whole.index(whole.endIndex, offsetBy: -digits))
        }
        return (minorUnits < 0 ? "-" : "") + whole
    }

    public var description: String { "\(amountText) \(currency)" }

    /// Money times a whole quantity; nil on overflow.
    public func times(_ quantity: Int64) -> Money? {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : Money(minorUnits: product, currency: currency)
    }

    /// Money times a ratio `numerator / denominator`, rounded half away from zero; nil on overflow.
    public func times(_ numerator: Int64, over denominator: Int64) -> Money? {
        guard denominator != 0 else { return nil }
        let product = Int128(minorUnits) * Int128(numerator)
        let q = product / Int128(denominator), r = product % Int128(denominator)
        let rounded = (r.magnitude * 2 >= Int128(denominator).magnitude) ? q + (product.signum() * Int128(denominator).signum() >= 0 ? 1 : -1) : q
        guard let value = Int64(exactly: rounded) else { return nil }
        return Money(minorUnits: value, currency: currency)
    }
}

/// Sums of money kept per currency: amounts in different currencies are never added.
public struct MoneyTotals: Hashable, Sendable, Codable {
    public private(set) var byCurrency: [String: Int64] = [:]
    /// Currencies whose sum went past what 64 bits hold: their amount stays at the limit it
    /// crossed and is shown as "over" it, never wrapped around to a wrong figure.
    public private(set) var overflowed: Set<String> = []
    public init() {}
    public mutating func add(_ money: Money) {
        let current = byCurrency[money.currency, default: 0]
        let (sum, overflow) = current.addingReportingOverflow(money.minorUnits)
        if overflow || overflowed.contains(money.currency) {
            if !overflowed.contains(money.currency) { byCurrency[money.currency] = money.minorUnits < 0 ? .min : .max }
            overflowed.insert(money.currency)
        } else {
            byCurrency[money.currency] = sum
        }
    }
    /// Marks a currency's amount as a bound rather than an exact sum (a figure derived from an overflowed one).
    public mutating func markOverflowed(_ currency: String) {
        if byCurrency[currency] != nil { overflowed.insert(currency) }
    }
    /// "12.00 USD", or "over 92233720368547758.07 USD" for an overflowed sum.
    public func text(_ money: Money) -> String {
        overflowed.contains(money.currency) ? "over \(money)" : money.description
    }
    public var amounts: [Money] {
        byCurrency.keys.sorted().map { Money(minorUnits: byCurrency[$0]!, currency: $0) }
    }
    public var isEmpty: Bool { byCurrency.isEmpty }
    public var description: String { amounts.isEmpty ? "-" : amounts.map(text).joined(separator: " + ") }
}
