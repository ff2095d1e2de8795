import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

@Suite struct ValueRoundTripTests {
    static let texts = [
        "", "plain", "👩‍👩‍👧‍👦 family", "🇯🇵🇩🇪", "e\u{301} combining", "\u{00e9} precomposed", "中文 日本語 한국어",
        "שלום עולם", "مرحبا", "it's \"quoted\"", "'; DROP TABLE fields; --", "%_\\ like metacharacters", "a\u{0}b embedded NUL",
        "line\nbreak\ttab", String(repeating: "long ", count: 5_000),
    ]

    static let values: [Value] = [
        .null, .integer(.min), .integer(.max), .integer(0), .integer(-1),
        .money(Money(minorUnits: .max, currency: "USD")), .money(Money(minorUnits: .min, currency: "JPY")),
        .money(Money(minorUnits: 4_500_000, currency: "EUR")), .money(Money(minorUnits: -1, currency: "KWD")),
        .real(0.1), .real(-0.0), .real(0.0), .real(.infinity), .real(-.infinity), .real(.nan),
        .real(Double(bitPattern: 0x7FF8_0000_DEAD_BEEF)), .real(Double(bitPattern: 0xFFF0_0000_0000_0001)),
        .real(.leastNonzeroMagnitude), .real(.greatestFiniteMagnitude),
        .date(Day(daysSinceEpoch: .min)), .date(Day(daysSinceEpoch: .max)), .date(Day(year: 2026, month: 2, day: 28)),
        .bool(true), .bool(false),
    ] + texts.map(Value.text)

    @Test func localEditsRoundTripEveryValueExactly() throws {
        let test = try TestReplica()
        let r = test.replica
        let row = RowID()
        let writes = Self.values.enumerated().map { FieldWrite(table: "deals", row: row, field: "f\($0.offset)", value: $0.element) }
        try r.transaction { try r.recordLocal(writes) }

        let stored = try r.fields(of: "deals", row: row)
        for (i, value) in Self.values.enumerated() {
            #expect(stored["f\(i)"] == value, "field f\(i) came back as \(String(describing: stored["f\(i)"])), not \(value)")
        }
        let pending = try r.pendingChanges()
        #expect(pending.map(\.change.value) == Self.values)
        let history = try r.history(table: .deals, row: row)
        #expect(Set(history.map(\.change.value)) == Set(Self.values))
    }

    @Test func pulledValuesRoundTripAndReopenUnchanged() throws {
        let test = try TestReplica()
        let row = RowID(), other = NodeID()
        let changes = Self.values.enumerated().map {
            Change(table: "deals", row: row, field: "f\($0.offset)", value: $0.element, hlc: HLC(milliseconds: 5, counter: UInt16($0.offset)), node: other)
        }
        try test.replica.applyPulled(changes: changes, cursor: 7)
        let reopened = try Replica.open(at: test.replica.path)
        let stored = try reopened.fields(of: "deals", row: row)
        for (i, value) in Self.values.enumerated() { #expect(stored["f\(i)"] == value) }
        // Bit-exact reals: == on Value compares bit patterns; check the NaN payload explicitly too.
        #expect(stored["f15"]?.realValue?.bitPattern == 0x7FF8_0000_DEAD_BEEF)
        #expect(stored["f10"]?.realValue?.sign == .minus)
    }

    @Test func textFieldsSetThroughTheCommandPathAreByteExact() throws {
        let test = try TestReplica()
        let id = try test.replica.createDeal(title: "t", account: "a")
        for text in Self.texts where !text.isEmpty {
            try test.replica.setDealFields(id.lowercased, [(field: "next_step", text: text)])
            let back = try test.replica.deal(id.lowercased)["next_step"].textValue
            #expect(back.map { Array($0.utf8) } == Array(text.utf8))
        }
    }
}
