import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

@Suite("Server store, every backend: scopes and pull")
struct StoreScopeTests {
    /// Two deals (alice's and bob's), a KPI under each, and an account, written by a manager.
    struct Pipeline {
        let fixture: StoreFixture
        let aliceDeal = RowID(), bobDeal = RowID(), aliceKPI = RowID(), bobKPI = RowID(), account = RowID()
        var writer = Writer()

        init(_ backend: StoreBackend) throws {
            fixture = try StoreFixture(backend)
            try fixture.addUsers(manager, alice, bob)
            var batch = writer.deal(aliceDeal, owner: "alice") + writer.deal(bobDeal, owner: "bob")
            batch += writer.kpi(aliceKPI, deal: aliceDeal) + writer.kpi(bobKPI, deal: bobDeal)
            batch.append(writer.change("accounts", account, "name", .text("Acme")))
            try fixture.store.push(batch, as: manager, node: writer.node)
        }
    }

    @Test(arguments: StoreBackend.available) func aRepSeesOwnDealsTheirChildrenAndAccounts(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        let aliceView = try p.fixture.store.pullAll(user: alice).changes
        #expect(aliceView.rows == [p.aliceDeal, p.aliceKPI, p.account])
        let managerView = try p.fixture.store.pullAll(user: manager).changes
        #expect(managerView.rows == [p.aliceDeal, p.bobDeal, p.aliceKPI, p.bobKPI, p.account])
    }

    @Test(arguments: StoreBackend.available) func theEpochComesWithTheSamePageAsPull(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        let store = p.fixture.store
        for user in [manager, alice] {
            for (cursor, limit) in [(UInt64(0), 2), (UInt64(2), 1_000), (UInt64(0), 1_000)] {
                let (epoch, page) = try store.epochAndPull(user: user, cursor: cursor, limit: limit)
                #expect(epoch == (try store.epoch()))
                #expect(page == (try store.pull(user: user, cursor: cursor, limit: limit)))
            }
        }
    }

    @Test(arguments: StoreBackend.available) func outOfScopeWritesAreRefusedOneByOne(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        var a = Writer()
        let batch = [
            a.change("deals", p.aliceDeal, "stage", .text("poc")),                 // 1: own deal
            a.change("deals", p.bobDeal, "stage", .text("poc")),                   // 2: bob's deal
            a.change("kpis", p.bobKPI, "metric", .text("latency")),               // 3: bob's KPI
            a.change("kpis", RowID(), "deal", .text(p.bobDeal.lowercased)),       // 4: new KPI under bob's deal
            a.change("kpis", p.aliceKPI, "deal", .text(p.bobDeal.lowercased)),    // 5: move own KPI to bob's deal
            a.change("kpis", RowID(), "metric", .text("orphan")),                 // 6: KPI with no deal
            a.change("accounts", p.account, "sector", .text("Auto")),             // 7: shared table
        ]
        let outcome = try p.fixture.store.push(batch, as: alice, node: a.node)
        #expect(outcome.refusals.map(\.seq) == [2, 3, 4, 5, 6])
        #expect(outcome.refusals.allSatisfy { $0.kind == .outOfScope })
        #expect(outcome.refusals[0].reason.contains("owned by bob"))
        #expect(outcome.acknowledged == 7)
        let state = try p.fixture.store.pullAll(user: manager).changes
        #expect(state.value("deals", p.aliceDeal, "stage") == .text("poc"))
        #expect(state.value("deals", p.bobDeal, "stage") == nil)
        #expect(state.value("kpis", p.aliceKPI, "deal") == .text(p.aliceDeal.lowercased))
        #expect(state.value("accounts", p.account, "sector") == .text("Auto"))
    }

    @Test(arguments: StoreBackend.available) func aRepCreatesADealForThemselvesButNotForOthers(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var a = Writer()
        let mine = RowID(), theirs = RowID(), kpi = RowID()
        // The KPI comes before its deal's owner in the batch: the whole creation is judged together.
        let batch = [a.change("deals", mine, "title", .text("Mine"))] + a.kpi(kpi, deal: mine)
            + [a.change("deals", mine, "owner", .text("alice"))] + a.deal(theirs, owner: "bob")
        let outcome = try fixture.store.push(batch, as: alice, node: a.node)
        #expect(outcome.refusals.map(\.seq) == [5, 6])
        let view = try fixture.store.pullAll(user: alice).changes
        #expect(view.rows == [mine, kpi])
        #expect(try fixture.store.pullAll(user: bob).changes.isEmpty)
    }

    /// Found by a breaker: a rep's `deal set D owner=Meg-typo` was accepted, and the deal left
    /// their replica for nobody's. A rep hands a deal only to an active user; a manager may name
    /// anyone (an import may come before its reps are added).
    @Test(arguments: StoreBackend.available) func aRepHandsADealOnlyToAnActiveUser(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        try fixture.addUsers(manager, alice, bob)
        var a = Writer(), m = Writer()
        let deal = RowID(), other = RowID()
        #expect(try fixture.store.push(a.deal(deal, owner: "alice") + a.deal(other, owner: "alice"), as: alice, node: a.node).refusals.isEmpty)
        let typo = a.change("deals", deal, "owner", .text("Meg-typo"))
        let refused = try fixture.store.push([typo], as: alice, node: a.node)
        #expect(refused.refusals.map(\.kind) == [.invalidValue])
        #expect(refused.refusals.first?.reason.contains("no active user has that name") == true, "\(refused.refusals)")
        #expect(try fixture.store.pullAll(user: alice).changes.value("deals", deal, "owner") == .text("alice"), "the deal stays alice's")
        #expect(try fixture.store.push([a.change("deals", other, "owner", .text("bob"))], as: alice, node: a.node).refusals.isEmpty)
        #expect(try fixture.store.push([m.change("deals", deal, "owner", .text("dora"))], as: manager, node: m.node).refusals.isEmpty)
    }

    @Test(arguments: StoreBackend.available) func reassignmentDropsForTheOldOwnerAndDeliversEverythingToTheNewOne(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        let aliceCursor = try p.fixture.store.pullAll(user: alice).cursor
        let bobCursor = try p.fixture.store.pullAll(user: bob).cursor
        // Alice hands her own deal to bob (allowed: it is hers).
        var a = Writer()
        a.clock = p.writer.clock + 10
        let outcome = try p.fixture.store.push([a.change("deals", p.aliceDeal, "owner", .text("bob"))], as: alice, node: a.node)
        #expect(outcome.refusals.isEmpty)

        let aliceNext = try p.fixture.store.pullAll(user: alice, from: aliceCursor)
        #expect(Set(aliceNext.dropped) == [RowRef(table: "deals", row: p.aliceDeal), RowRef(table: "kpis", row: p.aliceKPI)])
        #expect(aliceNext.changes.isEmpty)
        let bobNext = try p.fixture.store.pullAll(user: bob, from: bobCursor)
        #expect(bobNext.dropped.isEmpty)
        #expect(bobNext.changes.rows == [p.aliceDeal, p.aliceKPI])
        #expect(bobNext.changes.count == 4, "every field of the deal family, though older than bob's cursor")
        #expect(bobNext.changes.value("deals", p.aliceDeal, "owner") == .text("bob"))
        // Alice may no longer write the deal.
        let late = try p.fixture.store.push([a.change("deals", p.aliceDeal, "stage", .text("kpi"))], as: alice, node: a.node)
        #expect(late.refusals.count == 1)
    }

    /// A push whose answer was lost is retried after the deal left the rep: the retry gets the
    /// first answer (accepted, nothing new stored), not a refusal contradicting what is stored.
    @Test(arguments: StoreBackend.available) func aRetriedPushKeepsItsFirstAnswerAfterTheDealLeft(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        var a = Writer()
        a.clock = p.writer.clock + 10
        let edit = a.change("deals", p.aliceDeal, "next_step", .text("call back"))
        #expect(try p.fixture.store.push([edit], as: alice, node: a.node).refusals.isEmpty)
        var m = Writer()
        m.clock = a.clock + 10
        try p.fixture.store.push([m.change("deals", p.aliceDeal, "owner", .text("bob"))], as: manager, node: m.node)

        let retried = try p.fixture.store.push([edit], as: alice, node: a.node)
        #expect(retried.refusals.isEmpty)
        #expect(retried.accepted == 0)
        var late = a
        let fresh = late.change("deals", p.aliceDeal, "next_step", .text("new edit"))
        #expect(try p.fixture.store.push([fresh], as: alice, node: a.node).refusals.count == 1)
    }

    @Test(arguments: StoreBackend.available) func aChildMovedToAnotherDealFollowsIt(_ backend: StoreBackend) throws {
        var p = try Pipeline(backend)
        let aliceCursor = try p.fixture.store.pullAll(user: alice).cursor
        let bobCursor = try p.fixture.store.pullAll(user: bob).cursor
        try p.fixture.store.push([p.writer.change("kpis", p.aliceKPI, "deal", .text(p.bobDeal.lowercased))], as: manager, node: p.writer.node)
        #expect(try p.fixture.store.pullAll(user: alice, from: aliceCursor).dropped == [RowRef(table: "kpis", row: p.aliceKPI)])
        #expect(try p.fixture.store.pullAll(user: bob, from: bobCursor).changes.rows == [p.aliceKPI])
    }

    @Test(arguments: StoreBackend.available) func smallPagesReturnEveryFieldExactlyOnce(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var w = Writer()
        var batch: [IncomingChange] = []
        for _ in 0..<20 {
            let deal = RowID()
            batch += w.deal(deal, owner: "alice") + w.kpi(RowID(), deal: deal)
            batch.append(w.change("accounts", RowID(), "name", .text("A")))
        }
        try fixture.store.push(batch, as: manager, node: w.node)
        for user in [manager, alice] {
            var cursor: UInt64 = 0, seen: [FieldKey] = [], pages = 0
            while true {
                let page = try fixture.store.pull(user: user, cursor: cursor, limit: 7)
                #expect(page.changes.count <= 7)
                #expect(page.cursor >= cursor)
                seen += page.changes.map(\.key)
                cursor = page.cursor
                pages += 1
                if !page.hasMore { break }
            }
            #expect(seen.count == 100, "\(user.name)")
            #expect(Set(seen).count == seen.count, "no field twice for \(user.name)")
            #expect(pages == 15, "100 fields in pages of 7")
            #expect(try fixture.store.pull(user: user, cursor: cursor, limit: 7).changes.isEmpty)
        }
    }

    @Test(arguments: StoreBackend.available) func unknownTablesAndFieldsAreForwarded(_ backend: StoreBackend) throws {
        var p = try Pipeline(backend)
        let gadget = RowID(), loose = RowID()
        try p.fixture.store.push([
            p.writer.change("deals", p.aliceDeal, "future_field", .integer(42)),
            p.writer.change("gadgets", gadget, "deal", .text(p.aliceDeal.lowercased)),
            p.writer.change("gadgets", gadget, "colour", .text("red")),
            p.writer.change("gizmos", loose, "size", .integer(3)),
        ], as: manager, node: p.writer.node)
        let aliceView = try p.fixture.store.pullAll(user: alice).changes
        #expect(aliceView.value("deals", p.aliceDeal, "future_field") == .integer(42))
        #expect(aliceView.value("gadgets", gadget, "colour") == .text("red"))
        #expect(aliceView.value("gizmos", loose, "size") == nil, "a row of an unknown table without a deal is for managers")
        #expect(try p.fixture.store.pullAll(user: bob).changes.value("gadgets", gadget, "colour") == nil)
        #expect(try p.fixture.store.pullAll(user: manager).changes.value("gizmos", loose, "size") == .integer(3))
    }

    @Test(arguments: StoreBackend.available) func pullPagesNameTheUsersBehindNodes(_ backend: StoreBackend) throws {
        let p = try Pipeline(backend)
        let page = try p.fixture.store.pull(user: alice, cursor: 0, limit: 100)
        #expect(page.nodes == [p.writer.node: "meg"])
    }

    @Test(arguments: StoreBackend.available) func restoreBringsBackTheBackupWithANewEpoch(_ backend: StoreBackend) throws {
        var p = try Pipeline(backend)
        let backup = p.fixture.directory.path("backup.db")
        let epoch = try p.fixture.store.epoch()
        try p.fixture.store.backup(to: backup)
        #expect(throws: ServerStoreError.self) { try p.fixture.store.backup(to: backup) }
        try p.fixture.store.push([p.writer.change("deals", p.aliceDeal, "stage", .text("launch"))], as: manager)
        let restoredEpoch = try p.fixture.store.restore(from: backup)
        #expect(restoredEpoch != epoch)
        #expect(try p.fixture.store.epoch() == restoredEpoch)
        let state = try p.fixture.store.pullAll(user: manager).changes
        #expect(state.value("deals", p.aliceDeal, "stage") == nil)
        #expect(state.count == 9)
        #expect(throws: ServerStoreError.self) { try p.fixture.store.restore(from: p.fixture.directory.path("missing.db")) }
    }
}
