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
                throw ReplicaError(.invalidState, "deal \(short) is won (main contract signed): use 'gsp deal lose \(short) --reason TEXT --reopen'")
            }
            if name == "launch_date", let day = value.dateValue, let signed = deal["contract_signed"].dateValue, day < signed {
                throw ReplicaError(.invalidState, "the launch date \(day) is before the main contract was signed (\(signed)): check the date")
            }
        }
    }
}
