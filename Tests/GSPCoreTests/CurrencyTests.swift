import Testing
@testable import GSPCore

/// Money is written in active ISO 4217 codes, with each code's own minor-unit digits.
@Suite struct CurrencyTests {
    @Test func minorDigitsFollowISO4217() throws {
        #expect(try Money.parse("100 JPY").minorUnits == 100)
        #expect(try Money.parse("1.5 USD").minorUnits == 150)
        #expect(try Money.parse("1.125 BHD").minorUnits == 1125)
        #expect(try Money.parse("eur 3").currency == "EUR")
    }

    @Test func anUnknownCodeIsRefusedByName() {
        for text in ["100 XYZ", "100 ABC", "XXX 5"] {
            let error = #expect(throws: DomainError.self) { try Money.parse(text) }
            #expect(error?.message.contains("unknown currency") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("ISO 4217") == true)
        }
    }

    @Test func aTooLargeAmountSaysSoAndGivesTheLargest() {
        let error = #expect(throws: DomainError.self) { try Money.parse("99999999999999999999 USD") }
        #expect(error?.message.contains("too large") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("92233720368547758.07 USD") == true)
        let precise = #expect(throws: DomainError.self) { try Money.parse("1.234 USD") }
        #expect(precise?.message.contains("at most 2 decimals") == true)
    }
}
