import GSPCore

extension Replica {
    /// Refuses `deal set` edits that would undo signed or won data behind the commands that
    /// guard it: a signed contract's terms (changed with `--amend`), a won deal's outcome
    /// (changed with `deal lose --reopen`), a launch date before the contract's signed date.
    func checkClosedDealEdit(_ deal: Deal, _ values: [(String, Value)]) throws {
        let short = deal.id.short
        for (name, value) in values {
            if name.hasPrefix("pis_"), let signed = deal["pis_signed"].dateValue {
                throw ReplicaError(.invalidState, "the PIS contract of deal \(short) is signed (\(signed)): change \(name) with "
                                   + "'gsp pis sign \(short) --rate RATE --engineer E --amend'")
            }
            if name.hasPrefix("contract_"), let signed = deal["contract_signed"].dateValue {
                throw ReplicaError(.invalidState, "the main contract of deal \(short) is signed (\(signed)): change \(name) with "
                                   + "'gsp contract sign \(short) ... --amend'")
            }
            if name == "outcome", deal.outcome == .won, value.textValue != Outcome.won.rawValue {
                let signed = deal["contract_signed"].dateValue.map { " (main contract signed \($0))" } ?? ""
                throw ReplicaError(.invalidState, "deal \(short) is won\(signed): use 'gsp deal lose \(short) --reason TEXT --reopen'")
            }
            // Closing a deal goes through the commands that check and record it: a won deal has a
            // signed contract (its gates passed), a lost one a reason and the stage it was lost at.
            if name == "outcome", value.textValue == Outcome.won.rawValue, deal.outcome != .won {
                throw ReplicaError(.readOnlyField, "outcome won cannot be set directly: a deal is won by signing its main contract, "
                                   + "'gsp contract sign \(short) ...', which checks the gates")
            }
            if name == "outcome", value.textValue == Outcome.lost.rawValue, deal.outcome != .lost {
                throw ReplicaError(.readOnlyField, "outcome lost cannot be set directly: use 'gsp deal lose \(short) --reason TEXT', "
                                   + "which records why and at which stage")
            }
            if name == "lost_stage" {
                throw ReplicaError(.readOnlyField, "lost_stage cannot be set directly: 'gsp deal lose \(short) --reason TEXT' records it")
            }
            if name == "pis_signed", deal["pis_signed"].dateValue == nil {
                throw ReplicaError(.readOnlyField, "pis_signed cannot be set directly: use 'gsp pis sign \(short) --rate RATE --engineer E'")
            }
            if name == "contract_signed", deal["contract_signed"].dateValue == nil {
                throw ReplicaError(.readOnlyField, "contract_signed cannot be set directly: use 'gsp contract sign \(short) ...', which checks the gates")
            }
            if name == "launch_date", let day = value.dateValue, let signed = deal["contract_signed"].dateValue, day < signed {
                throw ReplicaError(.invalidState, "the launch date \(day) is before the main contract was signed (\(signed)): check the date")
            }
        }
    }
}
