import Testing
@testable import GSPCore

@Suite struct MoneyTests {
    @Test func parsesAmountsExactly() throws {
        #expect(try Money.parse("45000 USD") == Money(minorUnits: 4_500_000, currency: "USD"))
        #expect(try Money.parse("USD 0.10") == Money(minorUnits: 10, currency: "USD"))
        #expect(try Money.parse("1,200.5 eur") == Money(minorUnits: 120_050, currency: "EUR"))
        #expect(try Money.parse("1000 JPY") == Money(minorUnits: 1000, currency: "JPY"))
        #expect(try Money.parse("-92233720368547758.08 USD").minorUnits == .min)
        #expect(try Money.parse("1,234,567 JPY") == Money(minorUnits: 1_234_567, currency: "JPY"))
        #expect(try Money.parse("-12,000.25 USD") == Money(minorUnits: -1_200_025, currency: "USD"))
    }

    /// A comma that is not a thousands separator is most likely a decimal comma: dropping it
    /// would store "12,5 EUR" as 125 EUR, so it is refused with a hint.
    @Test(arguments: ["12,5 EUR", "1,20 USD", "1.200,50 EUR", "12,34,567 USD", ",500 USD", "1,000, USD", "1,0000 USD"])
    func refusesCommasThatAreNotThousandsSeparators(text: String) {
        let error = #expect(throws: DomainError.self) { try Money.parse(text) }
        #expect(error?.message.contains("thousands") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["45000", "abc USD", "1.234 USD", "1.5 JPY", "99999999999999999999 USD", "1 2 USD", "", "12.3.4 EUR"])
    func refusesMalformedMoney(text: String) {
        #expect(throws: DomainError.self) { try Money.parse(text) }
    }

    @Test func formatsWithTheCurrencyDigits() {
        #expect(Money(minorUnits: 5, currency: "USD").description == "0.05 USD")
        #expect(Money(minorUnits: -123_456, currency: "USD").description == "-1234.56 USD")
        #expect(Money(minorUnits: 7, currency: "KWD").description == "0.007 KWD")
    }

    @Test func pisFeeIsHoursTimesRateRounded() {
        let rate = Money(minorUnits: 12_000, currency: "USD")
        let entries = [90, 45, 1].map { TimeEntry(id: RowID(), fields: ["minutes": .integer($0)]) }
        // 136 minutes x 120.00/h = 272.00 USD
        #expect(Derived.pisFee(rate: rate, entries: entries) == Money(minorUnits: 27_200, currency: "USD"))
        let deleted = TimeEntry(id: RowID(), fields: ["minutes": .integer(600), "deleted": .bool(true)])
        #expect(Derived.pisFee(rate: rate, entries: entries + [deleted]) == Money(minorUnits: 27_200, currency: "USD"))
    }
}

@Suite struct DayTests {
    @Test func roundTripsAcrossCenturiesAndLeapDays() throws {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "1900-03-01", "2100-01-01", "0001-01-01"] {
            #expect(try Day.parse(text).description == text)
        }
        #expect(try Day.parse("1970-01-02").daysSinceEpoch == 1)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-1-1", "yesterday", "2024-00-10", "2024-04-31"])
    func refusesMalformedDates(text: String) {
        #expect(throws: DomainError.self) { try Day.parse(text) }
    }
}

@Suite struct ValueEqualityTests {
    @Test func realsCompareByBitPattern() {
        #expect(Value.real(0.0) != Value.real(-0.0))
        #expect(Value.real(.nan) == Value.real(.nan))
        #expect(Value.real(Double(bitPattern: 0x7FF8_0000_0000_0001)) != Value.real(.nan))
    }

    @Test func textComparesStoredBytesWithoutNormalizing() {
        #expect(Value.text("\u{E9}") != Value.text("e\u{301}"))
    }

    @Test func contractValueFollowsTheModel() {
        let royalty = Contract(fields: ["contract_model": .text("royalty"), "contract_fee": .money(Money(minorUnits: 150, currency: "USD")),
                                        "contract_unit": .text("unit"), "contract_volume": .integer(200_000)])
        #expect(royalty?.value == Money(minorUnits: 30_000_000, currency: "USD"))
        let otc = Contract(fields: ["contract_model": .text("otc"), "contract_fee": .money(Money(minorUnits: 9_900_000, currency: "EUR")),
                                    "contract_device": .text("Phone X")])
        #expect(otc == .oneTimeCharge(fee: Money(minorUnits: 9_900_000, currency: "EUR"), months: 12, device: "Phone X"))
        #expect(Contract(fields: ["contract_model": .text("otc")]) == nil)
    }
}

@Suite struct StageGateTests {
    func deal(_ fields: [String: Value]) -> Deal { Deal(id: RowID(), fields: fields) }

    @Test func enteringPISWithoutAgreedKPINamesTheKPI() {
        let missing = StageGate.missing(for: deal(["stage": .text("kpi")]), entering: .preInstallation, kpis: [])
        #expect(missing.count == 1)
        #expect(missing[0].contains("agreed KPI"))
    }

    @Test func skippingAheadChecksEveryGateOnTheWay() {
        let missing = StageGate.missing(for: deal(["stage": .text("bau")]), entering: .launch, kpis: [])
        #expect(missing.contains { $0.contains("agreed KPI") })
        #expect(missing.contains { $0.contains("PIS contract") })
        #expect(missing.contains { $0.contains("passed evaluation") })
        #expect(missing.contains { $0.contains("signed main contract") })
    }

    @Test func failedKPIBlocksTheMainContract() {
        let kpi = KPI(id: RowID(), fields: ["comparator": .text(">="), "target": .real(30), "agreed": .date(Day(daysSinceEpoch: 1)), "measured": .real(29.9)])
        #expect(kpi.passed == false)
        let missing = StageGate.missing(for: deal(["stage": .text("evaluation")]), entering: .mainContract, kpis: [kpi])
        #expect(missing.first?.contains("missed") == true)
    }

    @Test func movingBackNeedsNothing() {
        #expect(StageGate.missing(for: deal(["stage": .text("evaluation")]), entering: .proofOfConcept, kpis: []).isEmpty)
    }
}
