import Testing
@testable import GSPCore

@Suite struct HLCTests {
    @Test func tickIsMonotonicWhenTheWallClockJumpsBack() {
        var clock = HybridClock()
        let a = clock.tick(wallMilliseconds: 10_000)
        let b = clock.tick(wallMilliseconds: 5_000)
        let c = clock.tick(wallMilliseconds: 5_000)
        #expect(a < b && b < c)
        #expect(b.milliseconds == 10_000 && b.counter == 1)
        #expect(c.counter == 2)
    }

    @Test func tickFollowsTheWallClockWhenItMovesAhead() {
        var clock = HybridClock()
        _ = clock.tick(wallMilliseconds: 1_000)
        let next = clock.tick(wallMilliseconds: 2_000)
        #expect(next.milliseconds == 2_000 && next.counter == 0)
    }

    @Test func receiveAdvancesPastTheRemoteStamp() {
        var clock = HybridClock()
        _ = clock.tick(wallMilliseconds: 1_000)
        let remote = HLC(milliseconds: 9_000, counter: 7)
        let after = clock.receive(remote, wallMilliseconds: 1_001)
        #expect(after > remote)
        #expect(after.milliseconds == 9_000 && after.counter == 8)
        #expect(clock.tick(wallMilliseconds: 1_002) > after)
    }

    @Test func counterOverflowCarriesIntoTheNextMillisecond() {
        var clock = HybridClock(last: HLC(milliseconds: 500, counter: .max))
        let next = clock.tick(wallMilliseconds: 500)
        #expect(next.milliseconds == 501 && next.counter == 0)
        #expect(next > HLC(milliseconds: 500, counter: .max))
    }

    @Test func packingKeepsMillisecondsAndCounter() {
        let h = HLC(milliseconds: 1_700_000_000_123, counter: 42)
        #expect(h.milliseconds == 1_700_000_000_123)
        #expect(h.counter == 42)
        #expect(HLC(milliseconds: 1, counter: 0) > HLC(milliseconds: 0, counter: .max))
    }
}

/// At the very end of the HLC range (a stamp from year 10889, say a corrupt remote one) the
/// clock must never wrap around to 1970.
@Suite struct HLCEndOfRangeTests {
    @Test func tickAndReceiveNeverWrapAround() {
        var clock = HybridClock(last: HLC(rawValue: .max - 1))
        let a = clock.tick(wallMilliseconds: 1_000)
        let b = clock.tick(wallMilliseconds: 1_000)
        #expect(a.rawValue == .max && b.rawValue == .max)
        var other = HybridClock()
        let c = other.receive(HLC(rawValue: .max), wallMilliseconds: 1_000)
        #expect(c.rawValue == .max)
        #expect(other.tick(wallMilliseconds: 2_000).rawValue == .max)
    }
}
