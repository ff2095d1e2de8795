import Foundation
import GSPClient

struct InitCommand: Command {
    static let spec = CommandSpec(
        name: "init", summary: "create the local replica (never overwrites one)",
        options: [.value("user", "NAME", "your user name, the default owner of your deals (default: $USER)")],
        discussion: "The replica is one SQLite file, created readable by you only: it will also hold your server token.")

    let user: String?
    init(_ arguments: ParsedArguments) throws(UsageError) { user = arguments.option("user") }

    func run(_ context: Context) throws {
        guard let name = user ?? context.environment["USER"], !name.isEmpty else {
            throw UsageError("no user name: pass --user NAME", command: "init")
        }
        let replica = try Replica.create(at: context.replicaPath, user: name)
        context.print("created replica \(replica.path) for \(replica.user) (node \(replica.node))")
    }
}

struct LoginCommand: Command {
    static let spec = CommandSpec(
        name: "login", summary: "store the server URL and your token in the replica",
        options: [.value("server", "URL", "the sync server, such as https://gsp.example.com", required: true),
                  .value("token", "TOKEN", "your access token", required: true)],
        discussion: "The token is kept in the replica file's meta table; the file is created readable by its owner only (mode 0600).")

    let server: String, token: String
    init(_ arguments: ParsedArguments) throws(UsageError) {
        server = try arguments.required("server")
        token = try arguments.required("token")
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        try replica.login(server: server, token: token)
        context.print("logged in to \(server); run 'gsp sync' to sync")
    }
}
