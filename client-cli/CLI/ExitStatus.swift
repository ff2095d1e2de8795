import GSPClient
import GSPCore

/// The one rule for `gsp`'s exit status, applied to every error a command throws.
///
/// 64 (usage): the command line itself is wrong — an unknown command or option, a missing
/// argument, an option value that does not parse (a date, an amount, a stage id, a field
/// name, a number out of range). 1 (failure): a well-formed request that could not be done —
/// an unknown deal, a gate refused, a closed deal, the server down or refusing, a file the
/// command names that is missing or holds the wrong thing (`--ca-file server.key`), a token
/// the server says is another user's. Only the replica codes that mean "a value on the command
/// line does not parse" are usage errors: a new code is a failure unless added here.
enum ExitStatus {
    static let usage: Int32 = 64
    static let failure: Int32 = 1

    static func of(_ error: any Error) -> Int32 {
        switch error {
        case is UsageError, is DomainError: usage
        case let error as ReplicaError: [.invalidValue, .unknownField, .readOnlyField].contains(error.code) ? usage : failure
        default: failure
        }
    }
}
