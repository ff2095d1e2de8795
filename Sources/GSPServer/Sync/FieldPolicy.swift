import GSPCore

/// Fields a role may not write, checked by every backend's merge (`PushMerge`).
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
}
