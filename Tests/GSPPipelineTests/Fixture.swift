import GSPCore
@testable import GSPPipeline

/// A small pipeline with known answers (worked out by hand in the tests), early 2026:
///
/// | deal | owner (region, manager) | story | now |
/// |---|---|---|---|
/// | Acme phones (d1) | alice (EMEA, carol) | bau 01-05, poc 01-10, kpi 01-20, pis 02-01, evaluation 03-10, main_contract 03-20 with a royalty 2.00 USD x 60000 | open, 120000 USD |
/// | Beta tablets (d2) | bob (APAC, carol) | bau 01-08, poc 01-15, back to bau 02-10, poc 02-20 | open, 5000000 JPY |
/// | Gamma cars (d3) | alice, then bob from 02-15 (EMEA, dave) | bau 01-12, straight to evaluation 01-20 | open, 50000 EUR, breaks 2 gates |
/// | Delta lost (d4) | bob (APAC, carol) | bau 01-03, poc 01-10, kpi 02-05, lost 02-25 at kpi, "price" | lost, 20000 USD |
/// | Epsilon lost (d5) | alice (EMEA, carol) | bau 01-04, lost 01-06, "no budget" | lost, 10000 EUR |
/// | Zeta won (d6) | alice (NA, dave) | bau 01-02 ... main_contract 02-01, otc 30000 USD signed and won 02-10 | won, 30000 USD |
/// | Eta (d7) | bob (NA, dave) | bau 01-07; value edited concurrently 03-01: alice 9000 at 10:00, bob 7000 at 11:00 | open, 7000 USD |
/// | Theta deleted (d8) | alice | bau 01-05, 1000000 USD, deleted 02-01 | gone |
/// | Iota (d9) | alice (NA, dave) | imported at evaluation 03-01; 03-15 alice measures 55 and moves to main_contract while bob measures 40; won 03-16 | won, 40000 USD, breaks 2 gates |
struct Fixture {
    var history: [Change]
    var d1, d2, d3, d4, d5, d6, d7, d8, d9: RowID

    /// "Now" for live reports: 2026-04-01 00:00 UTC.
    static let now = HistoryBuilder.ms("2026-04-01")

    init() {
        typealias B = HistoryBuilder
        let alice = B.alice, bob = B.bob, carol = B.carol
        func t(_ d: String, _ h: Int = 0) -> Int64 { B.ms(d, hour: h) }
        var b = HistoryBuilder()

        d1 = b.deal("Acme phones", at: t("2026-01-05"), by: alice, ["owner": .text("alice"), "region": .text("EMEA"),
            "manager": .text("carol"), "value": usd(100_000), "expected_close": date("2026-06-15")])
        b.stage(d1, .proofOfConcept, at: t("2026-01-10"), by: alice)
        b.stage(d1, .keyAgreement, at: t("2026-01-20"), by: alice)
        let k1 = b.child("kpis", of: d1, at: t("2026-01-25"), by: alice, ["metric": .text("latency"),
            "comparator": .text(">="), "target": .real(30), "agreed": date("2026-01-25")])
        b.write("deals", d1, ["stage": .text("pis"), "pis_signed": date("2026-02-01"), "pis_rate": usd(120),
                              "pis_engineer": .text("Kim")], at: t("2026-02-01"), by: alice)

        d2 = b.deal("Beta tablets", at: t("2026-01-08"), by: bob, ["owner": .text("bob"), "region": .text("APAC"),
            "manager": .text("carol"), "value": jpy(5_000_000), "expected_close": date("2026-05-01")])
        b.stage(d2, .proofOfConcept, at: t("2026-01-15"), by: bob)
        b.stage(d2, .businessAsUsual, at: t("2026-02-10"), by: bob)
        b.stage(d2, .proofOfConcept, at: t("2026-02-20"), by: bob)
        b.child("time_entries", of: d2, at: t("2026-02-12"), by: bob, ["engineer": .text("Ann"),
            "date": date("2026-02-12"), "minutes": .integer(30)])

        d3 = b.deal("Gamma cars", at: t("2026-01-12"), by: alice, ["owner": .text("alice"), "region": .text("EMEA"),
            "manager": .text("dave"), "value": eur(50_000)])
        b.stage(d3, .evaluation, at: t("2026-01-20"), by: alice)
        b.write("deals", d3, ["owner": .text("bob")], at: t("2026-02-15"), by: carol)

        d4 = b.deal("Delta lost", at: t("2026-01-03"), by: bob, ["owner": .text("bob"), "region": .text("APAC"),
            "manager": .text("carol"), "value": usd(20_000)])
        b.stage(d4, .proofOfConcept, at: t("2026-01-10"), by: bob)
        b.stage(d4, .keyAgreement, at: t("2026-02-05"), by: bob)
        b.write("deals", d4, ["outcome": .text("lost"), "lost_reason": .text("price"), "lost_stage": .text("kpi")],
                at: t("2026-02-25"), by: bob)

        d5 = b.deal("Epsilon lost", at: t("2026-01-04"), by: alice, ["owner": .text("alice"), "region": .text("EMEA"),
            "manager": .text("carol"), "value": eur(10_000)])
        b.write("deals", d5, ["outcome": .text("lost"), "lost_reason": .text("no budget")], at: t("2026-01-06"), by: alice)

        d6 = b.deal("Zeta won", at: t("2026-01-02"), by: alice, ["owner": .text("alice"), "region": .text("NA"),
            "manager": .text("dave"), "value": usd(25_000)])
        b.stage(d6, .proofOfConcept, at: t("2026-01-05"), by: alice)
        b.stage(d6, .keyAgreement, at: t("2026-01-09"), by: alice)
        let k2 = b.child("kpis", of: d6, at: t("2026-01-09"), by: alice, ["metric": .text("fps"),
            "comparator": .text(">="), "target": .real(60), "agreed": date("2026-01-09")])
        b.write("deals", d6, ["stage": .text("pis"), "pis_signed": date("2026-01-12"), "pis_rate": eur(100),
                              "pis_engineer": .text("Lee")], at: t("2026-01-12"), by: alice)
        b.child("time_entries", of: d6, at: t("2026-01-15"), by: alice, ["engineer": .text("Lee"),
            "date": date("2026-01-15"), "minutes": .integer(47)])
        b.stage(d6, .evaluation, at: t("2026-01-20"), by: alice)
        b.write("kpis", k2, ["measured": .real(61)], at: t("2026-01-25"), by: alice)
        b.write("deals", d6, ["stage": .text("main_contract"), "contract_model": .text("otc"), "contract_fee": usd(30_000),
                              "contract_device": .text("Model X"), "contract_months": .integer(12)], at: t("2026-02-01"), by: alice)
        b.write("deals", d6, ["contract_signed": date("2026-02-10"), "outcome": .text("won")], at: t("2026-02-10"), by: alice)

        d7 = b.deal("Eta", at: t("2026-01-07"), by: bob, ["owner": .text("bob"), "region": .text("NA"),
            "manager": .text("dave"), "value": usd(8_000)])
        let seen = b.changes.last!.hlc  // the value both writers last saw
        b.write("deals", d7, ["value": usd(9_000)], at: t("2026-03-01", 10), by: alice, prev: seen)
        b.write("deals", d7, ["value": usd(7_000)], at: t("2026-03-01", 11), by: bob, prev: seen)

        d8 = b.deal("Theta deleted", at: t("2026-01-05"), by: alice, ["owner": .text("alice"), "region": .text("EMEA"),
            "manager": .text("carol"), "value": usd(1_000_000), "pis_rate": usd(200)])
        b.child("time_entries", of: d8, at: t("2026-01-20"), by: alice, ["engineer": .text("Kim"),
            "date": date("2026-01-20"), "minutes": .integer(600)])
        b.write("deals", d8, ["deleted": .bool(true)], at: t("2026-02-01"), by: alice)

        // d1's time cards and evaluation; one card deleted again.
        b.child("time_entries", of: d1, at: t("2026-02-03"), by: alice, ["engineer": .text("Kim"),
            "date": date("2026-02-03"), "minutes": .integer(300)])
        b.child("time_entries", of: d1, at: t("2026-03-02"), by: alice, ["engineer": .text("Kim"),
            "date": date("2026-03-02"), "minutes": .integer(90)])
        let removed = b.child("time_entries", of: d1, at: t("2026-03-03"), by: alice, ["engineer": .text("Kim"),
            "date": date("2026-03-03"), "minutes": .integer(120)])
        b.write("time_entries", removed, ["deleted": .bool(true)], at: t("2026-03-04"), by: alice)
        b.child("time_entries", of: d1, at: t("2026-03-05"), by: alice, ["engineer": .text("Lee"),
            "date": date("2026-03-05"), "minutes": .integer(60)])
        b.stage(d1, .evaluation, at: t("2026-03-10"), by: alice)
        b.write("kpis", k1, ["measured": .real(35)], at: t("2026-03-12"), by: alice)
        b.write("deals", d1, ["stage": .text("main_contract"), "contract_model": .text("royalty"), "contract_fee": usd(2),
                              "contract_unit": .text("unit"), "contract_volume": .integer(60_000)], at: t("2026-03-20"), by: alice)

        d9 = b.deal("Iota", at: t("2026-03-01"), by: alice, stage: .evaluation, ["owner": .text("alice"),
            "region": .text("NA"), "manager": .text("dave"), "value": usd(40_000), "pis_signed": date("2026-02-20"),
            "pis_engineer": .text("Kim")])
        let k3 = b.child("kpis", of: d9, at: t("2026-03-01"), by: alice, ["metric": .text("accuracy"),
            "comparator": .text(">="), "target": .real(50), "agreed": date("2026-02-15")])
        b.write("kpis", k3, ["measured": .real(55)], at: t("2026-03-15", 9), by: alice)
        b.stage(d9, .mainContract, at: t("2026-03-15", 9), by: alice)
        b.write("kpis", k3, ["measured": .real(40)], at: t("2026-03-15", 10), by: bob, prev: .zero)
        b.write("deals", d9, ["outcome": .text("won")], at: t("2026-03-16"), by: alice)

        history = b.changes
    }

    func live() -> PipelineData {
        PipelineData(history: history, now: Fixture.now, users: HistoryBuilder.users)
    }
}
