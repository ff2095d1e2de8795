import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// The server's `?as_of=DAY` answers equal the reports it gave live after that day's syncs.
/// (Aging and conflicts are left out: live, they run to the server's real clock.)
@Suite("HTTP reports as of past days")
struct ReportAsOfRouteTests {
    static let names = ["pipeline", "forecast", "conversion", "pis", "lost", "anomalies"]

    /// One writer whose changes are stamped at chosen moments of 2026.
    struct DayWriter {
        let node = NodeID()
        var seq: UInt64 = 0
        var counter: UInt16 = 0
        var seen: [String: HLC] = [:]
        mutating func write(_ row: RowID, _ fields: [(String, Value)], day: String, hour: Int, table: String = "deals") -> [IncomingChange] {
            let ms = UInt64(ManualClock.parse(day) + hour * 3_600_000)
            return fields.map { field, value in
                seq += 1
                counter += 1
                let hlc = HLC(milliseconds: ms, counter: counter)
                let key = "\(row)/\(field)"
                defer { seen[key] = hlc }
                return IncomingChange(seq: seq, change: Change(table: table, row: row, field: field, value: value,
                                                               hlc: hlc, node: node, prev: seen[key] ?? .zero))
            }
        }
    }

    func sections(_ fixture: ServerFixture, _ name: String, asOf: String? = nil) async throws -> NSArray {
        let answer = try await TestHTTP.send("GET", fixture.url("/v1/reports/\(name)" + (asOf.map { "?as_of=\($0)" } ?? "")).absoluteString,
                                             token: fixture.tokens["meg"])
        let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return (object?["sections"] as? NSArray) ?? []
    }

    @Test func asOfEachDayEqualsTheLiveReportsOfThatDay() async throws {
        let fixture = try ServerFixture()
        var a = DayWriter(), m = DayWriter()
        let d1 = RowID(), d2 = RowID(), d3 = RowID(), kpi = RowID()
        let usd = { (units: Int64) in Value.money(Money(minorUnits: units * 100, currency: "USD")) }
        let days: [(String, () throws -> Void)] = [
            ("2026-01-05", {
                try fixture.store.push(a.write(d1, [("title", .text("Acme")), ("owner", .text("alice")), ("stage", .text("bau")),
                                                    ("outcome", .text("open")), ("value", usd(1_000))], day: "2026-01-05", hour: 9)
                                       + a.write(d2, [("title", .text("Beta")), ("owner", .text("alice")), ("stage", .text("bau")),
                                                      ("value", .money(Money(minorUnits: 500, currency: "EUR")))], day: "2026-01-05", hour: 10),
                                       as: alice, node: a.node)
            }),
            ("2026-01-12", {
                try fixture.store.push(a.write(d1, [("stage", .text("poc"))], day: "2026-01-12", hour: 9)
                                       + a.write(d2, [("stage", .text("poc")), ("expected_close", .date(Day(year: 2026, month: 6, day: 1)))], day: "2026-01-12", hour: 11),
                                       as: alice, node: a.node)
            }),
            ("2026-01-20", {
                try fixture.store.push(a.write(d1, [("stage", .text("kpi"))], day: "2026-01-20", hour: 9)
                                       + a.write(kpi, [("deal", .text(d1.lowercased)), ("metric", .text("fps")), ("comparator", .text(">=")),
                                                       ("target", .real(30))], day: "2026-01-20", hour: 10, table: "kpis")
                                       + a.write(d2, [("stage", .text("bau"))], day: "2026-01-20", hour: 11),  // back
                                       as: alice, node: a.node)
                try fixture.store.push(m.write(d3, [("title", .text("Gamma")), ("owner", .text("bob")), ("stage", .text("evaluation")),
                                                    ("value", usd(7_000))], day: "2026-01-20", hour: 14), as: manager, node: m.node)
            }),
            ("2026-02-03", {
                try fixture.store.push(a.write(d2, [("outcome", .text("lost")), ("lost_reason", .text("price")), ("lost_stage", .text("bau"))],
                                               day: "2026-02-03", hour: 9), as: alice, node: a.node)
                try fixture.store.push(m.write(d1, [("owner", .text("bob"))], day: "2026-02-03", hour: 15), as: manager, node: m.node)
            }),
        ]
        var live: [String: [NSArray]] = [:]
        for (day, push) in days {
            try push()
            var taken: [NSArray] = []
            for name in Self.names { taken.append(try await sections(fixture, name)) }
            live[day] = taken
        }
        // Later work must not show in the past.
        try fixture.store.push(m.write(d3, [("outcome", .text("won"))], day: "2026-03-01", hour: 9), as: manager, node: m.node)
        for (day, taken) in live {
            for (i, name) in Self.names.enumerated() {
                #expect(try await sections(fixture, name, asOf: day).isEqual(taken[i]), "\(name) as of \(day)")
            }
        }
        #expect(Set(live.values.map { "\($0)" }).count == days.count, "the reports changed from day to day")
    }
}
