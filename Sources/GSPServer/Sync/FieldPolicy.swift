import GSPCore

/// Fields a role may not write, checked before the store merges (the same for every backend).
enum FieldPolicy {
    /// Why `user` may not write `change`, or nil when they may.
    static func refusal(_ change: Change, by user: User) -> String? {
        guard user.role == .rep else { return nil }
        if change.table == Schema.Table.deals.rawValue && change.field == "stage_override" {
            // The move itself is kept (merging never rejects a stage); without the manager's
            // recorded reason it shows in the anomalies report for a manager to resolve.
            return "gate overrides are for managers: the stage change was kept and shows as an anomaly; ask a manager to confirm it"
        }
        return nil
    }

    /// Splits a push into the changes to merge and the refusals of the rest.
    static func split(_ changes: [IncomingChange], by user: User) -> (allowed: [IncomingChange], refused: [ChangeRefusal]) {
        var allowed: [IncomingChange] = [], refused: [ChangeRefusal] = []
        for incoming in changes {
            if let reason = refusal(incoming.change, by: user) {
                refused.append(ChangeRefusal(seq: incoming.seq, kind: .forbidden, reason: reason))
            } else {
                allowed.append(incoming)
            }
        }
        return (allowed, refused)
    }
}
