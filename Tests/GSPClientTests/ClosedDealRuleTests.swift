import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPTestSupport

/// Rules that keep signed, won and required data from being lost by a slip, and gate
/// overrides for managers only; each refusal changes nothing and says how to go on.
@Suite struct ClosedDealRuleTests {
    /// A deal whose main contract was signed on 2026-04-01 (won), reached by a manager's override.
    func wonDeal(_ r: Replica) throws -> String {
        let deal = try r.dealInStage(.keyAgreement).lowercased
        try r.signContract(deal, terms: .royalty(fee: try Money.parse("1.50 USD"), per: .unit, volume: 1000),
                           date: try Day.parse("2026-04-01"), override: "signed early")
        return deal
    }

    func refusal(_ r: Replica, _ code: ReplicaError.Code, naming words: [String],
                 sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let before = try ReplicaSnapshot(r)
        let error = #expect(throws: ReplicaError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == code, sourceLocation: sourceLocation)
        for word in words {
            #expect(error?.message.contains(word) == true, "'\(word)' not in: \(error?.message ?? "")", sourceLocation: sourceLocation)
        }
        #expect(try ReplicaSnapshot(r) == before, "a refused edit changed the replica", sourceLocation: sourceLocation)
    }

    @Test func aRepMayNotOverrideAGate() throws {
        let r = try TestReplica().replica
        try r.login(server: "http://127.0.0.1:9", token: "t", role: "rep")
        let deal = try r.dealInStage(.keyAgreement).lowercased
        try refusal(r, .gateBlocked, naming: ["only a manager may override a gate", "agreed KPI"]) {
            try r.advance(deal, to: .preInstallation, override: "customer insists")
        }
    }

    @Test func aManagerOrAnUnknownRoleMayOverride() throws {
        for role in ["manager", nil] {
            let r = try TestReplica().replica
            if let role { try r.login(server: "http://127.0.0.1:9", token: "t", role: role) }
            let deal = try r.dealInStage(.keyAgreement).lowercased
            #expect(try r.advance(deal, to: .preInstallation, override: "customer insists").stage == .preInstallation)
        }
    }

    @Test func losingAWonDealNeedsReopen() throws {
        let r = try TestReplica().replica
        let deal = try wonDeal(r)
        try refusal(r, .invalidState, naming: ["is won", "--reopen"]) { try r.loseDeal(deal, reason: "budget cut") }
        try r.loseDeal(deal, reason: "budget cut", reopen: true)
        #expect(try r.deal(deal).outcome == .lost)
    }

    /// A won deal sent back before its main contract would count as won at, say, bau in
    /// every report; only a manager's recorded override may do it.
    @Test func aWonDealMovesBackBeforeItsContractOnlyWithAnOverride() throws {
        let r = try TestReplica().replica
        let deal = try wonDeal(r)
        for stage in [Stage.businessAsUsual, .keyAgreement, .evaluation] {
            try refusal(r, .invalidState, naming: ["is won", "before its main contract", "--override"]) { try r.advance(deal, to: stage) }
        }
        #expect(try r.advance(deal, to: .launch, override: "customer launched").stage == .launch)
        #expect(try r.advance(deal, to: .mainContract).stage == .mainContract)
        let moved = try r.advance(deal, to: .businessAsUsual, override: "contract annulled, restarting")
        #expect(moved.stage == .businessAsUsual)
        #expect(moved["stage_override"].textValue == "contract annulled, restarting")
    }

    @Test func requiredDealFieldsCannotBeCleared() throws {
        let r = try TestReplica().replica
        let deal = try r.dealInStage(.businessAsUsual).lowercased
        for field in ["title", "owner", "account"] {
            try refusal(r, .invalidValue, naming: [field, "cannot be empty"]) { try r.setDealFields(deal, [(field, "")]) }
            try refusal(r, .invalidValue, naming: [field, "cannot be empty"]) { try r.setDealFields(deal, [(field, "  ")]) }
        }
        try refusal(r, .invalidValue, naming: ["invalid user name 'bad name!'"]) { try r.setDealFields(deal, [("owner", "bad name!")]) }
        #expect(throws: ReplicaError.self) { try r.createDeal(title: "t", account: "a", owner: "bad name!") }
        try r.setDealFields(deal, [("title", "Tablet port")])
        #expect(try r.deal(deal).title == "Tablet port")
    }

    /// `deal set` cannot go around the commands that guard signed and won data.
    @Test func dealSetCannotUndoSignedOrWonData() throws {
        let r = try TestReplica().replica
        let deal = try wonDeal(r)
        try r.signPIS(deal, rate: "120 USD/h", engineer: "bob")
        try refusal(r, .invalidState, naming: ["PIS contract", "--amend"]) { try r.setDealFields(deal, [("pis_rate", "90 USD")]) }
        try refusal(r, .invalidState, naming: ["main contract", "--amend"]) { try r.setDealFields(deal, [("contract_fee", "")]) }
        try refusal(r, .invalidState, naming: ["is won", "--reopen"]) { try r.setDealFields(deal, [("outcome", "lost")]) }
        try refusal(r, .invalidState, naming: ["before the main contract"]) { try r.setDealFields(deal, [("launch_date", "2026-01-01")]) }
        try r.setDealFields(deal, [("launch_market", "JP"), ("next_step", "renewal")])
    }

    /// Found by a new user: `deal set D outcome=won` made a deal in poc won, with no contract,
    /// past every gate; `outcome=lost` closed one with no reason or stage. The fields the closing
    /// commands record cannot be set around them; reopening a lost deal stays a `deal set`.
    @Test func dealSetCannotCloseADealAroundTheCommandsThatCheckIt() throws {
        let r = try TestReplica().replica
        let deal = try r.dealInStage(.proofOfConcept).lowercased
        try refusal(r, .readOnlyField, naming: ["outcome won", "gsp contract sign"]) { try r.setDealFields(deal, [("outcome", "won")]) }
        try refusal(r, .readOnlyField, naming: ["outcome lost", "gsp deal lose"]) { try r.setDealFields(deal, [("outcome", "lost")]) }
        try refusal(r, .readOnlyField, naming: ["lost_stage", "gsp deal lose"]) { try r.setDealFields(deal, [("lost_stage", "bau")]) }
        try refusal(r, .readOnlyField, naming: ["contract_signed", "gsp contract sign"]) { try r.setDealFields(deal, [("contract_signed", "2026-04-01")]) }
        try refusal(r, .readOnlyField, naming: ["pis_signed", "gsp pis sign"]) { try r.setDealFields(deal, [("pis_signed", "2026-04-01")]) }
        try r.loseDeal(deal, reason: "budget cut")
        try r.setDealFields(deal, [("outcome", "open")])
        #expect(try r.deal(deal).outcome == .open)
    }

    @Test func launchCannotPrecedeTheSignedContract() throws {
        let r = try TestReplica().replica
        let deal = try wonDeal(r)
        try refusal(r, .invalidState, naming: ["2026-03-31", "before", "2026-04-01"]) {
            try r.launch(deal, date: try Day.parse("2026-03-31"), product: "X1 Pro")
        }
        try r.launch(deal, date: try Day.parse("2026-04-01"), product: "X1 Pro")
        #expect(try r.deal(deal).stage == .launch)
    }

    @Test func signingAgainNeedsAmend() throws {
        let r = try TestReplica().replica
        let deal = try wonDeal(r)
        try r.signPIS(deal, rate: "120 USD/h", engineer: "bob")
        try refusal(r, .invalidState, naming: ["already signed", "--amend"]) {
            try r.signPIS(deal, rate: "90 USD/h", engineer: "carol")
        }
        let otc = ContractTerms.oneTimeCharge(fee: try Money.parse("9000 USD"), device: "X2")
        try refusal(r, .invalidState, naming: ["already signed", "2026-04-01", "--amend"]) {
            try r.signContract(deal, terms: otc)
        }
        try r.signPIS(deal, rate: "90 USD/h", engineer: "carol", amend: true)
        try r.signContract(deal, terms: otc, amend: true)
        #expect(try r.deal(deal).contract?.modelName == "otc")
    }
}
