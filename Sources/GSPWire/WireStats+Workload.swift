import Foundation
import GSPCore

extension WireStats {
    /// A realistic pipeline history: `deals` deals with 12 fields, edited in bursts of a few
    /// fields by their owner (one of 40 reps), bursts about 30 s apart, HLCs increasing.
    /// Values are mostly short text, small integers, money and dates. Deterministic per seed.
    public static func pipelineHistory(changes count: Int, deals: Int = 50_000, seed: UInt64 = 1) -> [Change] {
        var rng = Mix(state: seed)
        let rows = (0..<deals).map { _ in UUID(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
        let reps = (0..<40).map { _ in NodeID(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
        let regions = ["EMEA-North", "EMEA-South", "Americas-East", "Americas-West", "APAC-Japan", "APAC-Korea", "APAC-SEA", "China"]
        let stages = Stage.allCases.map(\.rawValue)
        let steps = ["send proposal", "call back", "schedule demo", "port to device", "review KPIs", "sign PIS",
                     "collect time cards", "evaluation report", "negotiate royalty", "legal review", "wait for launch"]
        let fields = ["title", "account", "region", "owner", "stage", "amount", "probability", "close_date",
                      "poc_start", "next_step", "kpi_count", "active"]
        var ms: UInt64 = 1_767_225_600_000  // 2026-01-01
        var out: [Change] = []
        out.reserveCapacity(count)
        while out.count < count {
            let deal = Int(rng.next() % UInt64(deals))
            ms += rng.next() % 60_000
            var counter: UInt16 = 0
            for _ in 0..<min(Int(1 + rng.next() % 6), count - out.count) {
                let f = Int(rng.next() % 12)
                let account = "Account \(deal % 2_000)"
                let value: Value = switch f {
                case 0: .text("\(account) device rollout \(deal % 7)")
                case 1: .text(account)
                case 2: .text(regions[deal % regions.count])
                case 3: .text("rep\(deal % 40)")
                case 4: .text(stages[Int(rng.next() % UInt64(stages.count))])
                case 5: .money(Money(minorUnits: Int64(rng.next() % 50_000) * 10_000, currency: deal % 5 == 0 ? "EUR" : "USD"))
                case 6: .integer(Int64(rng.next() % 21) * 5)
                case 7, 8: .date(Day(daysSinceEpoch: Int32(20_450 + Int(rng.next() % 800) - 400)))
                case 9: .text(steps[Int(rng.next() % UInt64(steps.count))])
                case 10: .integer(Int64(rng.next() % 6))
                default: .bool(rng.next() % 4 != 0)
                }
                out.append(Change(table: "deals", row: rows[deal], field: fields[f], value: value,
                                  hlc: HLC(milliseconds: ms, counter: counter), node: reps[deal % reps.count]))
                counter += 1
            }
        }
        return out
    }

    /// A rep's day: `count` edits over `deals` of their deals, each with the prev HLC it saw.
    public static func repDay(changes count: Int = 200, deals: Int = 40, seed: UInt64 = 2) -> (NodeID, [Change]) {
        let history = pipelineHistory(changes: count, deals: deals, seed: seed)
        let rep = history[0].node
        let dayStart = history.last!.hlc.milliseconds + 86_400_000
        let day = history.enumerated().map { i, c in
            var c = c
            c.node = rep
            c.prev = c.hlc
            c.hlc = HLC(milliseconds: dayStart + UInt64(i) * 90_000)
            return c
        }
        return (rep, day)
    }

    /// SplitMix64, kept here so GSPWire needs no test support.
    struct Mix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
