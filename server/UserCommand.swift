import Foundation
import GSPServer

let userCommand = Command(
    name: "user", summary: "add, list or revoke users and their tokens",
    usage: """
    usage: gsp-server user add NAME --role rep|manager [--region R] --db PATH
           gsp-server user list [--json] --db PATH
           gsp-server user revoke NAME --db PATH

    'add' prints the user's bearer token once: the server keeps only its SHA-256.
    To give a user a new token, revoke them, then add them again.
    """,
    run: { words, usage in
        guard let action = words.first, action != "--help", action != "-h" else {
            if words.isEmpty { throw UsageError("missing action: add, list or revoke") }
            return Output.out(usage)
        }
        switch action {
        case "add": try addUser(words.dropFirst(), usage)
        case "list": try listUsers(words.dropFirst(), usage)
        case "revoke": try revokeUser(words.dropFirst(), usage)
        default: throw UsageError("unknown action '\(action)': use add, list or revoke")
        }
    })

private func addUser(_ words: ArraySlice<String>, _ usage: String) throws {
    let args = try Arguments(words, options: ["role", "region", "db"])
    if args.wantsHelp { return Output.out(usage) }
    let name = try args.positional(0, "the user's NAME")
    try args.expectPositionals(1)
    guard let role = Role(rawValue: try args.required("role")) else { throw UsageError("--role must be rep or manager") }
    let store = try StoreOpener.open(try args.required("db"))
    let token = try Token.generate()
    var written = false
    do {
        // stdout gets the only copy of the token: it is written inside the transaction that adds
        // the user, so a token that cannot be written (a full disk, a closed pipe) adds nobody.
        try store.addUser(User(name: name, role: role, region: args.option("region")), tokenHash: Token.hash(token)) {
            if written { return }   // a transaction run again on a fresh PostgreSQL connection
            do { try Output.write(token) } catch {
                throw ServerStoreError("cannot write the token to stdout (\(error.localizedDescription)), so '\(name)' was not added: "
                    + "run the command again with stdout going to a terminal or a writable file")
            }
            written = true
        }
    } catch where written {
        throw ServerStoreError("'\(name)' was not added (\(error)): the token printed above does not work; run the command again")
    }
    Output.err("added \(role.rawValue) '\(name)'. The token is shown only this once: give it to \(name) for 'gsp login'.")
}

private func listUsers(_ words: ArraySlice<String>, _ usage: String) throws {
    let args = try Arguments(words, options: ["db"], flags: ["json"])
    if args.wantsHelp { return Output.out(usage) }
    try args.expectPositionals(0)
    let users = try StoreOpener.open(try args.required("db"), create: false).users()
    if args.flag("json") { return try Output.json(users) }
    Output.table(["NAME", "ROLE", "REGION", "STATUS", "CREATED"], users.map {
        [$0.name, $0.role.rawValue, $0.region ?? "-", $0.revoked ? "revoked" : "active", $0.created.formatted(.iso8601)]
    })
}

private func revokeUser(_ words: ArraySlice<String>, _ usage: String) throws {
    let args = try Arguments(words, options: ["db"])
    if args.wantsHelp { return Output.out(usage) }
    let name = try args.positional(0, "the user's NAME")
    try args.expectPositionals(1)
    try StoreOpener.open(try args.required("db"), create: false).revokeUser(named: name)
    Output.err("revoked '\(name)': their token no longer works")
}
