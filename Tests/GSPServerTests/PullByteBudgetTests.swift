import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport
import GSPWire

/// Pull pages end by bytes as well as by count: legal text values near the 1,114,112-byte
/// string limit once made pages larger than a frame may be, which no replica could read.
@Suite("Server store, every backend: pull pages bounded by bytes")
struct PullByteBudgetTests {
    static let big = ValueLimits.stringBytes - 64

    /// Seven deals with a next step near the limit, each after a small title, written by a manager.
    struct BigDeals {
        let fixture: StoreFixture
        var writer = Writer()
        var deals: [RowID] = []

        init(_ backend: StoreBackend, owners: [String] = ["alice"]) throws {
            fixture = try StoreFixture(backend)
            var rng = SeededGenerator(seed: TestSeed.derive(77))
            for i in 0..<7 {
                let deal = RowID()
                deals.append(deal)
                let batch = writer.deal(deal, owner: owners[i % owners.count], title: "deal \(i)")
                    + [writer.change("deals", deal, "next_step", .text(BigText.make(bytes: PullByteBudgetTests.big, using: &rng)))]
                try fixture.store.push(batch, as: manager, node: writer.node)
            }
        }
    }

    /// Every page from cursor 0 with `maxBytes`, in order.
    static func pages(_ store: any ServerStore, user: User, limit: Int = 1_000, maxBytes: Int) throws -> [PullPage] {
        var pages: [PullPage] = [], cursor: UInt64 = 0
        while true {
            let page = try store.pull(user: user, cursor: cursor, limit: limit, maxBytes: maxBytes)
            #expect(page.cursor >= cursor, "the cursor never goes back")
            pages.append(page)
            cursor = page.cursor
            if !page.hasMore || pages.count > 100 { return pages }
        }
    }

    static func size(_ page: PullPage) -> Int {
        page.changes.reduce(0) { $0 + WireSize.bound(of: $1) } + page.nodes.values.reduce(0) { $0 + WireSize.bound(ofDirectoryEntry: $1) }
    }

    @Test(arguments: StoreBackend.available) func pagesStopBeforeTheirBytesPassTheBudget(_ backend: StoreBackend) throws {
        let p = try BigDeals(backend)
        let budget = 2 * Self.big + 10_000
        let pages = try Self.pages(p.fixture.store, user: manager, maxBytes: budget)
        let all = try p.fixture.store.pullAll(user: manager).changes
        #expect(all.count == 21)
        #expect(pages.flatMap(\.changes) == all, "the pages hold every change once, in order")
        for page in pages {
            #expect(Self.size(page) <= budget)
            #expect(page.changes.filter { ($0.value.textValue?.utf8.count ?? 0) > 1_000 }.count <= 2)
        }
        #expect(pages.count >= 4)
        #expect(pages.dropLast().allSatisfy(\.hasMore) && !pages.last!.hasMore)
    }

    /// A budget smaller than any one change still moves on: one change a page.
    @Test(arguments: StoreBackend.available) func aPageHoldsAtLeastOneChangeHoweverLarge(_ backend: StoreBackend) throws {
        let p = try BigDeals(backend)
        let pages = try Self.pages(p.fixture.store, user: manager, maxBytes: 1)
        #expect(pages.map(\.changes.count) == Array(repeating: 1, count: 21))
        #expect(pages.flatMap(\.changes) == (try p.fixture.store.pullAll(user: manager).changes))
    }

    /// A rep's byte-bounded pages hold what their count-bounded pages hold: their own deals and
    /// the rows that left their scope, and nothing else.
    @Test(arguments: StoreBackend.available) func aRepsPagesKeepTheScopeRules(_ backend: StoreBackend) throws {
        var p = try BigDeals(backend, owners: ["alice", "bob"])
        // Alice's first deal goes to bob: it leaves her scope.
        try p.fixture.store.push([p.writer.change("deals", p.deals[0], "owner", .text("bob"))], as: manager, node: p.writer.node)
        let pages = try Self.pages(p.fixture.store, user: alice, maxBytes: Self.big + 1_000)
        let whole = try p.fixture.store.pullAll(user: alice)
        #expect(pages.flatMap(\.changes) == whole.changes)
        #expect(Set(pages.flatMap(\.dropped)) == Set(whole.dropped))
        #expect(pages.last!.cursor == whole.cursor)
        #expect(!pages.flatMap(\.changes).contains { $0.row == p.deals[0] || $0.row == p.deals[1] })
        #expect(pages.count >= 3)
    }

    /// With the default budget, a page of values near the limit encodes to a frame that passes
    /// every limit, compressed and inflated, and says more follows.
    @Test(arguments: StoreBackend.available) func aDefaultPageFitsOneFrame(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var writer = Writer(), rng = SeededGenerator(seed: TestSeed.derive(78))
        for _ in 0..<18 {
            try fixture.store.push([writer.change("accounts", RowID(), "notes", .text(BigText.make(bytes: Self.big, using: &rng)))],
                                   as: manager, node: writer.node)
        }
        let page = try fixture.store.pull(user: manager, cursor: 0, limit: 5_000)
        #expect(page.hasMore && page.changes.count < 18)
        let frame = Frame.encode(.response(SyncResponse(epoch: try fixture.store.epoch(), serverTime: .zero, acknowledged: 0,
                                                        changes: page.changes, nodes: page.nodes, cursor: page.cursor, hasMore: true)), level: 1)
        #expect(frame.count <= Limits.standard.compressedBytes)
        #expect(throws: Never.self) { try Frame.decode(frame) }
    }
}
