import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// Every refused command names what is wrong and leaves the replica exactly as it was.
@Suite struct BadInputTests {
    func expectRefused(_ code: ReplicaError.Code, mentioning words: [String], in replica: Replica,
                       sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let before = try ReplicaSnapshot(replica)
        let pending = try replica.pendingCount()
        let error = #expect(throws: ReplicaError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == code, "code \(String(describing: error?.code)): \(error?.message ?? "")", sourceLocation: sourceLocation)
        for word in words {
            #expect(error?.message.contains(word) == true, "'\(word)' not in: \(error?.message ?? "")", sourceLocation: sourceLocation)
        }
        #expect(try replica.pendingCount() == pending, sourceLocation: sourceLocation)
        #expect(try ReplicaSnapshot(replica) == before, "the replica changed", sourceLocation: sourceLocation)
    }

    @Test func unknownStage() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a").lowercased
        try expectRefused(.invalidValue, mentioning: ["unknown stage 'negotiation'", "bau"], in: r) {
            try r.advance(deal, toStageNamed: "negotiation")
        }
        try expectRefused(.invalidValue, mentioning: ["unknown stage"], in: r) {
            try r.setDealFields(deal, [(field: "lost_stage", text: "closing")])
        }
    }

    @Test func malformedMoney() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a").lowercased
        try expectRefused(.invalidValue, mentioning: ["malformed money '45k USD'"], in: r) {
            try r.setDealFields(deal, [(field: "title", text: "new title"), (field: "value", text: "45k USD")])
        }
        try expectRefused(.invalidValue, mentioning: ["malformed money", "0.001"], in: r) {
            try r.setDealFields(deal, [(field: "value", text: "0.001 USD")])
        }
        try expectRefused(.invalidValue, mentioning: ["malformed rate 'lots'"], in: r) {
            try r.signPIS(deal, rate: "lots", engineer: "bob")
        }
    }

    @Test func negativeOrZeroHours() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a").lowercased
        for hours in ["-2", "0", "abc", "1.234", "1e3"] {
            try expectRefused(.invalidValue, mentioning: ["invalid hours '\(hours)'"], in: r) {
                try r.logTime(deal, engineer: "bob", hours: hours)
            }
        }
    }

    @Test func unknownDealID() throws {
        let r = try TestReplica().replica
        _ = try r.createDeal(title: "t", account: "a")
        let missing = RowID().lowercased
        try expectRefused(.unknownRow, mentioning: ["no deal '\(missing)'"], in: r) {
            try r.setDealFields(missing, [(field: "title", text: "x")])
        }
        try expectRefused(.unknownRow, mentioning: ["no deal 'acme'"], in: r) { try r.deleteDeal("acme") }
        try expectRefused(.unknownRow, mentioning: ["no deal"], in: r) {
            _ = try r.addKPI(missing, metric: "fps", unit: "fps", target: ">=30")
        }
    }

    @Test func ambiguousPrefixListsTheCandidates() throws {
        let r = try TestReplica().replica
        // 17 deals over 16 hex digits: at least two share their first character.
        let ids = try (0..<17).map { _ in try r.createDeal(title: "t", account: "a").lowercased }
        let groups = Dictionary(grouping: ids, by: { String($0.prefix(1)) })
        let (prefix, candidates) = groups.first { $0.value.count > 1 }!
        try expectRefused(.ambiguousRow, mentioning: ["'\(prefix)' matches \(candidates.count) deals"] + candidates, in: r) {
            try r.setDealFields(prefix, [(field: "title", text: "x")])
        }
        // The full id still works.
        try r.setDealFields(candidates[0], [(field: "title", text: "x")])
    }

    @Test func unknownFieldListsTheValidOnes() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a").lowercased
        try expectRefused(.unknownField, mentioning: ["unknown field 'titel'", "title", "expected_close"], in: r) {
            try r.setDealFields(deal, [(field: "title", text: "ok"), (field: "titel", text: "x")])
        }
        try expectRefused(.readOnlyField, mentioning: ["gsp deal advance"], in: r) {
            try r.setDealFields(deal, [(field: "stage", text: "launch")])
        }
        try expectRefused(.invalidValue, mentioning: ["no such date '2026-02-30'"], in: r) {
            try r.setDealFields(deal, [(field: "expected_close", text: "2026-02-30")])
        }
    }

    @Test func deletedDealsCannotBeEdited() throws {
        let r = try TestReplica().replica
        let deal = try r.createDeal(title: "t", account: "a").lowercased
        try r.deleteDeal(deal)
        try expectRefused(.deletedRow, mentioning: ["was deleted"], in: r) { try r.setDealFields(deal, [(field: "title", text: "x")]) }
        #expect(try r.listDeals().isEmpty)
    }
}
