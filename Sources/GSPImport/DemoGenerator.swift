import GSPCore

/// A seeded generator of realistic GSP deals, for demos and benchmarks when the public
/// CRM data is not at hand: every stage, KPIs with measurements, PIS time cards, both
/// contract models, lost deals, spread over a year. The same seed gives the same data.
public struct DemoGenerator {
    public var seed: UInt64
    public var deals: Int
    public var reps: [String]
    public var start: Day

    public init(seed: UInt64 = 42, deals: Int = 300, reps: [String] = ["ana", "bo", "chen"],
                start: Day = Day(year: 2026, month: 1, day: 5)) {
        self.seed = seed
        self.deals = deals
        self.reps = reps
        self.start = start
    }

    static let accounts = ["Nordlicht Mobile", "Sakura Devices", "Atlas Telecom", "Pampa Phones", "Kestrel Auto",
                           "Orion Wearables", "Hanse Systems", "Lumen TV", "Río Grande Networks", "Zeta Médical"]
    static let devices = ["Phone X2", "Tab 10", "Car Head Unit 3", "Watch S", "Set-top Box 4K", "Router AX"]
    static let regions = ["North", "South", "East", "West"]
    static let engineers = ["Ines", "Kofi", "Mei", "Lars"]

    public func plan() -> ImportPlan {
        var rng = SplitMix(seed: seed)
        var plan = ImportPlan()
        for n in 0..<deals {
            plan.records += deal(number: n, rng: &rng)
        }
        return plan
    }

    func deal(number n: Int, rng: inout SplitMix) -> [ImportRecord] {
        let id = NameUUID.make(name: "demo-\(seed):deals:\(n)")
        let origin = "generated deal \(n)"
        let owner = reps[n % reps.count]
        let account = Self.accounts[rng.below(Self.accounts.count)]
        let device = Self.devices[rng.below(Self.devices.count)]
        let currency = rng.below(4) == 0 ? "EUR" : "USD"
        var day = start.adding(days: rng.below(200))
        var w: [TimedWrite] = []
        var children: [ImportRecord] = []
        var order = 0
        func set(_ f: String, _ v: Value) { w.append(TimedWrite(f, v, day: day, order: order)) }
        func advance(_ s: Stage, after days: Int) {
            day = day.adding(days: days)
            order += 1
            set("stage", .text(s.rawValue))
        }

        set("title", .text("\(device) for \(account)"))
        set("account", .text(account))
        set("owner", .text(owner))
        set("region", .text(Self.regions[n % Self.regions.count]))
        set("device", .text(device))
        set("value", .money(Money(minorUnits: Int64(20 + rng.below(480)) * 100_000, currency: currency)))
        set("stage", .text(Stage.businessAsUsual.rawValue))
        set("outcome", .text(Outcome.open.rawValue))
        set("expected_close", .date(day.adding(days: 90 + rng.below(270))))

        // How far this deal gets: most stop early, a few launch.
        let reach = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6][rng.below(13)]
        if reach >= 1 { advance(.proofOfConcept, after: 5 + rng.below(30)); set("poc_start", .date(day)); set("poc_device", .text(device)) }
        var kpiPass = true
        if reach >= 2 {
            advance(.keyAgreement, after: 10 + rng.below(40))
            for k in 0..<(1 + rng.below(3)) {
                let kid = NameUUID.make(name: "demo-\(seed):kpis:\(n).\(k)")
                let metric = [("boot time", "s", "<=", 2.5), ("frame rate", "fps", ">=", 55), ("battery life", "h", ">=", 18)][k]
                var kw = [TimedWrite("deal", .text(id.lowercased), day: day), TimedWrite("metric", .text(metric.0), day: day),
                          TimedWrite("unit", .text(metric.1), day: day), TimedWrite("comparator", .text(metric.2), day: day),
                          TimedWrite("target", .real(metric.3), day: day), TimedWrite("agreed", .date(day), day: day)]
                if reach >= 4 {
                    let pass = rng.below(6) != 0
                    kpiPass = kpiPass && pass
                    let measured = metric.2 == ">=" ? (pass ? metric.3 * 1.1 : metric.3 * 0.9) : (pass ? metric.3 * 0.9 : metric.3 * 1.1)
                    kw.append(TimedWrite("measured", .real((measured * 100).rounded() / 100), day: day.adding(days: 120), order: 9))
                }
                children.append(ImportRecord(table: .kpis, row: kid, origin: origin, writes: kw))
            }
        }
        if reach >= 3 {
            advance(.preInstallation, after: 7 + rng.below(30))
            let engineer = Self.engineers[rng.below(Self.engineers.count)]
            set("pis_signed", .date(day)); set("pis_engineer", .text(engineer))
            set("pis_rate", .money(Money(minorUnits: Int64(90 + 10 * rng.below(7)) * 100, currency: currency)))
            for t in 0..<(2 + rng.below(6)) {
                let worked = day.adding(days: t * 3 + 1)
                children.append(ImportRecord(table: .time_entries, row: NameUUID.make(name: "demo-\(seed):time:\(n).\(t)"), origin: origin, writes: [
                    TimedWrite("deal", .text(id.lowercased), day: worked), TimedWrite("engineer", .text(engineer), day: worked),
                    TimedWrite("date", .date(worked), day: worked), TimedWrite("minutes", .integer(Int64(60 * (2 + rng.below(7)))), day: worked)]))
            }
        }
        if reach >= 4 { advance(.evaluation, after: 30 + rng.below(40)); set("eval_date", .date(day.adding(days: 20))) }
        if reach >= 5 && kpiPass {
            advance(.mainContract, after: 25 + rng.below(40))
            if rng.below(2) == 0 {
                set("contract_model", .text("royalty")); set("contract_unit", .text(["unit", "line", "copy"][rng.below(3)]))
                set("contract_fee", .money(Money(minorUnits: Int64(50 + rng.below(250)), currency: currency)))
                set("contract_volume", .integer(Int64(10_000 * (1 + rng.below(50)))))
            } else {
                set("contract_model", .text("otc")); set("contract_device", .text(device)); set("contract_months", .integer(12))
                set("contract_fee", .money(Money(minorUnits: Int64(50 + rng.below(400)) * 100_000, currency: currency)))
            }
            set("contract_signed", .date(day)); set("outcome", .text(Outcome.won.rawValue))
            if reach >= 6 {
                advance(.launch, after: 40 + rng.below(60))
                set("launch_date", .date(day)); set("launch_product", .text("\(account) \(device)")); set("launch_market", .text("EU"))
            }
        } else if rng.below(3) == 0 || (reach >= 5 && !kpiPass) {
            day = day.adding(days: 10 + rng.below(30)); order += 1
            let stage = w.last { $0.field == "stage" }?.value ?? .text("bau")
            set("outcome", .text(Outcome.lost.rawValue)); set("lost_stage", stage)
            set("lost_reason", .text(["budget frozen", "competitor chose", "KPI missed", "project cancelled"][reach >= 5 ? 2 : rng.below(4)]))
        }
        return [ImportRecord(table: .deals, row: id, origin: origin, writes: w)] + children
    }
}

/// SplitMix64: small and seedable, so generated data is the same on every platform.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
