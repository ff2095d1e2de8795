import Foundation
import Testing
import GSPCore
import GSPClient
import GSPPipeline
import GSPTestSupport

/// A manager takes every report live at the close of several business days while a rep and
/// the manager work real replicas (backward moves, a reassignment, a concurrent edit, a lost
/// deal, a won contract, a deletion). Weeks later, each report `--as-of` those days must
/// equal what was taken live then.
@Suite struct LiveVersusAsOfTests {
    final class Office {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let meg: Replica, alice: Replica
        private var cursor: UInt64 = 0

        init() throws {
            meg = try Replica.create(at: dir.path("meg.sqlite"), user: "meg", wallClock: clock.wallClock)
            alice = try Replica.create(at: dir.path("alice.sqlite"), user: "alice", wallClock: clock.wallClock)
        }

        /// Each side receives the other's changes made since the last exchange.
        func exchange() throws {
            for (from, to) in [(alice, meg), (meg, alice)] {
                let pending = try from.pendingChanges().map(\.change)
                cursor += 1
                try to.applyPulled(changes: pending, nodes: [from.node: from.user], cursor: cursor)
                if let last = try from.pendingChanges().last { try from.acknowledge(upTo: last.seq) }
            }
        }
    }

    static let options: [ReportOptions] = [ReportOptions(), ReportOptions(groupBy: .owner), ReportOptions(stalledDays: 7)]

    func snapshot(_ office: Office, asOf day: Day? = nil) throws -> [[ReportSection]] {
        try ReportName.allCases.flatMap { name in
            try Self.options.map { base in
                var options = base
                options.asOf = day
                return try office.meg.report(name, options: options).sections
            }
        }
    }

    @Test func asOfEachPastDayEqualsTheReportTakenLiveThatDay() throws {
        let o = try Office()
        var live: [String: [[ReportSection]]] = [:]
        /// Runs the day's work at 09:00, 10:00, ..., exchanges, and takes the reports at 23:59:59.999.
        func day(_ date: String, _ work: [() throws -> Void]) throws {
            for (hour, step) in work.enumerated() {
                o.clock.set(date, hour: 9 + hour)
                try step()
            }
            o.clock.set(date, hour: 22)
            try o.exchange()
            o.clock.set(UInt64(ManualClock.parse(date)) + 86_400_000 - 1)
            live[date] = try snapshot(o)
        }
        var a = RowID(), b = RowID(), c = RowID(), kpi = RowID()
        try day("2026-01-05", [
            { a = try o.meg.createDeal(title: "Acme phones", account: "Acme", region: "EMEA", owner: "alice", value: Money.parse("10000 USD")) },
            { b = try o.meg.createDeal(title: "Beta <tablets>", account: "Beta", region: "APAC", owner: "alice", value: Money.parse("5000 EUR")) },
            { c = try o.meg.createDeal(title: "Gamma cars", account: "Gamma", region: "NA", value: Money.parse("300000 JPY")) },
        ])
        try day("2026-01-12", [
            { try o.alice.advance(a.lowercased, to: .proofOfConcept) },
            { try o.alice.advance(b.lowercased, to: .proofOfConcept) },
            { _ = try o.alice.addActivity(b.lowercased, note: "visit") },
        ])
        try day("2026-01-20", [
            { try o.alice.advance(a.lowercased, to: .keyAgreement) },
            { kpi = try o.alice.addKPI(a.lowercased, metric: "boot", unit: "s", target: "<=2.5") },
            { try o.alice.advance(b.lowercased, to: .businessAsUsual) },  // moved backwards
            { try o.meg.setDealFields(c.lowercased, [("owner", .text("alice"))]) },  // reassigned
        ])
        try day("2026-02-02", [
            // Concurrent: alice's later edit replaces meg's at the exchange. (A replica holds winners
            // only, so an edit that loses on arrival is on record on the server, not here.)
            { try o.meg.setDealFields(a.lowercased, [("value", .money(Money.parse("11000 USD")))]) },
            { try o.alice.setDealFields(a.lowercased, [("value", .money(Money.parse("12000 USD")))]) },
            { try o.alice.signPIS(a.lowercased, rate: "120 USD/h", engineer: "Ines") },
            { try o.alice.advance(a.lowercased, to: .preInstallation) },
            { _ = try o.alice.logTime(a.lowercased, engineer: "Ines", hours: "6.5") },
        ])
        try day("2026-02-16", [
            { try o.alice.loseDeal(b.lowercased, reason: "price") },
            { try o.alice.advance(a.lowercased, to: .evaluation) },
            { try o.alice.advance(c.lowercased, to: .proofOfConcept) },
        ])
        try day("2026-03-02", [
            { _ = try o.alice.measureKPI(kpi.lowercased, value: "2.1") },
            { try o.alice.advance(a.lowercased, to: .mainContract) },
            { try o.alice.signContract(a.lowercased, terms: .royalty(fee: Money.parse("2 USD"), per: .unit, volume: 60_000)) },
        ])
        try day("2026-03-20", [
            { try o.meg.deleteDeal(c.lowercased) },
            { _ = try o.alice.createDeal(title: "Delta", account: "Delta", value: Money.parse("700 USD")) },
        ])
        // Work goes on after the last snapshot; none of it may leak into the past.
        try day("2026-04-15", [
            { try o.alice.setDealFields(a.lowercased, [("next_step", .text("launch plan"))]) },
            { try o.meg.setDealFields(b.lowercased, [("outcome", .text("open"))]) },
        ])
        o.clock.set("2026-05-01")
        let conflicts = try o.meg.report(.conflicts).sections[0].rows
        #expect(conflicts.count == 1, "the concurrent value edit is on record")
        for (date, taken) in live.sorted(by: { $0.key < $1.key }) {
            let asOf = try snapshot(o, asOf: Day.parse(date))
            for (i, name) in ReportName.allCases.enumerated() {
                for j in Self.options.indices {
                    let k = i * Self.options.count + j
                    #expect(asOf[k] == taken[k], "\(name) (options \(j)) as of \(date) differs from the live report")
                }
            }
        }
        // The snapshots differ from day to day: the check is not comparing empty reports.
        #expect(Set(live.values.map { "\($0)" }).count == live.count)
    }
}
