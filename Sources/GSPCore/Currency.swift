/// The active ISO 4217 currency codes money may be written in, with their minor-unit digits.
///
/// As published by the ISO 4217 maintenance agency in 2025. Codes without minor units
/// (precious metals, SDR, test and "no currency" codes) are left out: deals are not priced in them.
public enum Currency {
    /// Digits after the decimal point, by code.
    public static let minorDigits: [String: Int] = {
        var digits: [String: Int] = [:]
        for code in twoDigitCodes.split(separator: " ") { digits[String(code)] = 2 }
        for code in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                     "XAF", "XOF", "XPF"] { digits[code] = 0 }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { digits[code] = 3 }
        for code in ["CLF", "UYW"] { digits[code] = 4 }
        return digits
    }()

    /// True when `code` (upper case) is an active ISO 4217 code.
    public static func isKnown(_ code: String) -> Bool { minorDigits[code] != nil }

    private static let twoDigitCodes = """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE \
        CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL \
        HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR \
        MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK \
        SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES XCD XCG \
        YER ZAR ZMW ZWG
        """
}
