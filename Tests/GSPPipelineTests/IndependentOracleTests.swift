import Testing
import GSPCore
import GSPTestSupport
@testable import GSPPipeline

/// The reports against answers worked out here straight from the raw changes, by a naive
/// replay that shares no code with GSPPipeline or the merge: random pipelines whose deals
/// move backwards, are lost, won, reassigned, deleted, and edited concurrently (ties included),
/// in three currencies, live and as of several past dates.
@Suite struct IndependentOracleTests {
    static let percent: [String: Int64] = ["bau": 5, "poc": 10, "kpi": 20, "pis": 35, "evaluation": 50,
                                           "main_contract": 90, "launch": 100]
    static let order = ["bau", "poc", "kpi", "pis", "evaluation", "main_contract", "launch"]

    /// A field's writes, as plain numbers: (hlc as 64 bits, node bytes, value).
    typealias Write = (hlc: UInt64, node: [UInt8], value: Value)

    /// Greatest (hlc, node) wins; node ids compare as unsigned bytes.
    static func beats(_ a: Write, _ b: Write) -> Bool {
        if a.hlc != b.hlc { return a.hlc > b.hlc }
        for (x, y) in zip(a.node, b.node) where x != y { return x > y }
        return false
    }

    /// What the naive replay knows about one deal.
    struct Truth {
        var winners: [String: Write] = [:]
        var stageWrites: [Write] = []
        var outcomeWrites: [Write] = []
        func text(_ f: String) -> String? { if case .text(let t)? = winners[f]?.value { t } else { nil } }
        var stage: String { text("stage") ?? "bau" }
        var outcome: String { text("outcome") ?? "open" }
        var deleted: Bool { if case .bool(true)? = winners["deleted"]?.value { true } else { false } }
        var value: (Int64, String)? { if case .money(let m)? = winners["value"]?.value { (m.minorUnits, m.currency) } else { nil } }
        /// Successive winners of a field in merge order, a repeated value being no new step.
        static func steps(_ writes: [Write]) -> [(String, UInt64)] {
            var out: [(String, UInt64)] = []
            for w in writes.sorted(by: { beats($1, $0) }) {
                guard case .text(let t) = w.value else { continue }
                if out.last?.0 != t { out.append((t, w.hlc >> 16)) }
            }
            return out
        }
    }

    static func replay(_ history: [Change], cutoff: UInt64?) -> [RowID: Truth] {
        var deals: [RowID: Truth] = [:]
        for c in history where c.table == "deals" && (cutoff == nil || c.hlc.milliseconds <= cutoff!) {
            let w: Write = (c.hlc.milliseconds << 16 | UInt64(c.hlc.counter), c.node.bytes, c.value)
            var t = deals[c.row] ?? Truth()
            if let old = t.winners[c.field] { if beats(w, old) { t.winners[c.field] = w } } else { t.winners[c.field] = w }
            if c.field == "stage" { t.stageWrites.append(w) }
            if c.field == "outcome" { t.outcomeWrites.append(w) }
            deals[c.row] = t
        }
        return deals.filter { !$0.value.deleted }
    }

    static func amounts(_ totals: MoneyTotals) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: totals.amounts.map { ($0.currency, $0.minorUnits) })
    }

    static func check(_ history: [Change], cutoff: UInt64?, now: UInt64, label: String) {
        let truth = replay(history, cutoff: cutoff)
        let data = PipelineData(history: history, asOfMilliseconds: cutoff.map(Int64.init), now: Int64(now))

        // pipeline: open deals per stage, won apart; weighted rounds once per stage and currency.
        var count: [String: Int] = [:], total: [String: [String: Int64]] = [:]
        var open: [String: [String: Int64]] = [:]
        var byOwner: [String: Int] = [:]
        var wonTotal: [String: Int64] = [:]
        for t in truth.values where t.outcome != "lost" {
            if t.outcome == "won" {
                if let (units, currency) = t.value { wonTotal[currency, default: 0] += units }
                continue
            }
            count[t.stage, default: 0] += 1
            byOwner["\(t.text("owner") ?? "")/\(t.stage)", default: 0] += 1
            guard let (units, currency) = t.value else { continue }
            total[t.stage, default: [:]][currency, default: 0] += units
            open[t.stage, default: [:]][currency, default: 0] += units
        }
        let report = PipelineReport(data: data)
        for row in report.rows {
            let s = row.stage.rawValue
            var weighted: [String: Int64] = [:]
            for (currency, units) in open[s] ?? [:] { weighted[currency, default: 0] += (units * percent[s]! + 50) / 100 }
            #expect(row.count == count[s] ?? 0, "\(label): \(s) count")
            #expect(amounts(row.total) == total[s] ?? [:], "\(label): \(s) value")
            #expect(amounts(row.weighted) == weighted, "\(label): \(s) weighted")
        }
        #expect(report.lostCount == truth.values.filter { $0.outcome == "lost" }.count, "\(label): lost")
        #expect(report.wonCount == truth.values.filter { $0.outcome == "won" }.count, "\(label): won")
        #expect(amounts(report.won) == wonTotal, "\(label): won value")
        for row in PipelineReport(data: data, groupBy: .owner).rows where row.count > 0 || byOwner["\(row.group!)/\(row.stage.rawValue)"] != nil {
            #expect(row.count == byOwner["\(row.group!)/\(row.stage.rawValue)"], "\(label): \(row.group!) \(row.stage)")
        }

        // conversion: "reached" from the furthest stage ever held; "in order" from the steps.
        var reached = [Int](repeating: 0, count: 7), held = reached, heldThenNext = reached
        for t in truth.values {
            let steps = Truth.steps(t.stageWrites).map { order.firstIndex(of: $0.0)! }
            let furthest = steps.max() ?? 0
            for n in 0...furthest { reached[n] += 1 }
            for n in 0..<7 where steps.contains(n) {
                held[n] += 1
                let first = steps.firstIndex(of: n)!
                if steps[(first + 1)...].contains(n + 1) { heldThenNext[n] += 1 }
            }
        }
        let conversion = ConversionReport(data: data)
        #expect(conversion.rows.map(\.reached) == reached, "\(label): reached")
        #expect(conversion.rows.map(\.held) == held, "\(label): held")
        #expect(conversion.rows.map(\.heldThenNext) == heldThenNext, "\(label): in order")

        // aging: each stay ends at the next step or when the deal closed (won or lost), whichever
        // came first, else at the report's moment; a stage entered after the close is not timed.
        let moment = cutoff ?? now
        var stays: [String: [UInt64]] = [:]
        for t in truth.values {
            let steps = Truth.steps(t.stageWrites)
            let closedAt = t.outcome == "open" ? nil : Truth.steps(t.outcomeWrites).last { $0.0 == t.outcome }?.1
            let stop = closedAt ?? moment
            for (i, (stage, at)) in steps.enumerated() where stage != "launch" && at <= stop {
                let end = min(i + 1 < steps.count ? steps[i + 1].1 : stop, stop)
                stays[stage, default: []].append(end > at ? end - at : 0)
            }
        }
        for age in AgingReport(data: data).stages {
            let s = (stays[age.stage.rawValue] ?? []).sorted()
            #expect(age.stays == s.count, "\(label): \(age.stage) stays")
            let median = s.isEmpty ? nil : s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
            #expect(age.medianDays == median.map { $0 / 86_400_000 }, "\(label): \(age.stage) median")
        }

        // lost: by the recorded lost stage, else the stage it was in.
        var lostAt = [Int](repeating: 0, count: 7)
        for t in truth.values where t.outcome == "lost" {
            lostAt[order.firstIndex(of: t.text("lost_stage").flatMap { order.contains($0) ? $0 : nil } ?? t.stage)!] += 1
        }
        #expect(LostReport(data: data).stages.map(\.count) == lostAt, "\(label): lost by stage")
    }

    @Test(arguments: 0..<4)
    func reportsMatchANaiveReplayOfTheRawChanges(run: Int) {
        let seed = TestSeed.derive(500 + run)
        var rng = SeededGenerator(seed: seed)
        let history = RandomPipeline.history(deals: 150, using: &rng)
        let now = RandomPipeline.start + 150 * RandomPipeline.day
        Self.check(history, cutoff: nil, now: now, label: "seed \(seed) live")
        for days: UInt64 in [10, 25, 45, 70, 100] {
            let cutoff = RandomPipeline.start + days * RandomPipeline.day - 1
            Self.check(history, cutoff: cutoff, now: now, label: "seed \(seed) as of day \(days)")
        }
        // Delivery order changes nothing but which edits are met as conflicts.
        var shuffled = history
        shuffled.shuffle(using: &rng)
        Self.check(shuffled, cutoff: nil, now: now, label: "seed \(seed) shuffled")
    }

    @Test func theRandomPipelinesHoldTheCasesThatMatter() {
        var rng = SeededGenerator(seed: TestSeed.derive(500))
        let history = RandomPipeline.history(deals: 150, using: &rng)
        let truth = Self.replay(history, cutoff: nil)
        let backwards = truth.values.filter { t in
            let steps = Truth.steps(t.stageWrites).map { Self.order.firstIndex(of: $0.0)! }
            return zip(steps, steps.dropFirst()).contains { $0 > $1 }
        }
        #expect(backwards.count > 5)
        #expect(truth.values.filter { $0.outcome == "lost" }.count > 5)
        #expect(truth.values.filter { $0.outcome == "won" }.count > 5)
        #expect(Set(truth.values.compactMap { $0.value?.1 }) == ["USD", "EUR", "JPY"])
        #expect(PipelineData(history: history).conflicts.count > 10)
        // Exact ties: the same field written at the same HLC by two nodes.
        let stamps = Dictionary(grouping: history) { "\($0.row)/\($0.field)/\($0.hlc.rawValue)" }
        #expect(stamps.values.contains { Set($0.map(\.node)).count > 1 })
    }
}
