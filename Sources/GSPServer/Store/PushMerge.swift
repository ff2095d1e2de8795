import GSPCore

/// What a backend's merge session offers the per-change loop both stores share.
protocol PushMergeSession: AnyObject {
    /// Why a rep may not write this change, or nil.
    func outOfScopeReason(_ change: Change) throws -> String?
    /// Why a rep may not hand a deal to the owner this change names, or nil.
    func handoverReason(_ change: Change) throws -> String?
    /// Whether this exact change (stamp and value) is stored already.
    func isReplay(_ change: Change) throws -> Bool
    /// Merges one valid change; false when it was already there.
    func apply(_ change: Change) throws -> Bool
}

/// The one merge rule for a push, whatever the store: each change in order is refused as
/// invalid, refused as a field the user's role may not write, refused as out of the rep's
/// scope, or applied.
///
/// A replay (the exact change, stamp and value, already stored) is never refused for role or
/// scope: it changes nothing, and replicas send one on purpose, e.g. everything they hold after
/// a restore, other people's values included. Only what is stored counts: a change that merely
/// names another user's node is refused like any other, since node ids travel in every pull.
enum PushMerge {
    struct Result {
        var refusals: [ChangeRefusal] = []
        var accepted = 0
        var maxHLC = HLC.zero
    }

    /// `makeSession` gets the valid changes (a backend may read what they touch in one go).
    static func run<Session: PushMergeSession>(_ changes: [IncomingChange], user: User,
                                               makeSession: ([Change]) throws -> Session) throws -> (Session, Result) {
        var result = Result()
        var valid: [IncomingChange] = []
        valid.reserveCapacity(changes.count)
        for pushed in changes {
            if let reason = Scope.invalidReason(pushed.change) {
                result.refusals.append(ChangeRefusal(seq: pushed.seq, kind: .invalidValue, reason: reason))
            } else {
                valid.append(pushed)
            }
        }
        let session = try makeSession(valid.map(\.change))
        for pushed in valid {
            // A replay gets the answer the first push got: accepted, whatever the scope is now
            // (the first answer may have been lost; refusing now would contradict what is stored).
            if let (kind, reason) = try refusal(pushed.change, by: user, in: session), !(try session.isReplay(pushed.change)) {
                result.refusals.append(ChangeRefusal(seq: pushed.seq, kind: kind, reason: reason))
                continue
            }
            if try session.apply(pushed.change) {
                result.accepted += 1
                result.maxHLC = max(result.maxHLC, pushed.change.hlc)
            }
        }
        result.refusals.sort { $0.seq < $1.seq }
        return (session, result)
    }

    /// The first rule `change` breaks for `user`: a field their role may not write, then, for a
    /// rep, a row outside their deals, then a deal handed to nobody; nil when it breaks none.
    private static func refusal<Session: PushMergeSession>(_ change: Change, by user: User,
                                                          in session: Session) throws -> (ChangeRefusal.Kind, String)? {
        if let reason = FieldPolicy.refusal(change, by: user) { return (.forbidden, reason) }
        guard user.role == .rep else { return nil }
        if let reason = try session.outOfScopeReason(change) { return (.outOfScope, reason) }
        if let reason = try session.handoverReason(change) { return (.invalidValue, reason) }
        return nil
    }
}
