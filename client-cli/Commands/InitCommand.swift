import Foundation
import GSPClient
import GSPCore

struct InitCommand: Command {
    static let spec = CommandSpec(
        name: "init", summary: "create the local replica (never overwrites one)",
        options: [.value("user", "NAME", "your user name, the default owner of your deals (default: $USER)"), .json],
        discussion: "The replica is one SQLite file, created readable by you only: it will also hold your server token.")

    let user: String?
    init(_ arguments: ParsedArguments) throws(UsageError) { user = arguments.option("user") }

    func run(_ context: Context) throws {
        guard let name = user ?? context.environment["USER"], !name.isEmpty else {
            throw UsageError("no user name: pass --user NAME", command: "init")
        }
        // The per-user default folder is gsp's to make; a folder the user named must exist.
        if context.replicaPathIsDefault {
            let folder = PathText.folder(of: context.replicaPath)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let replica = try Replica.create(at: context.replicaPath, user: name)
        context.confirm("init", "created replica \(replica.path) for \(replica.user) (node \(replica.node))",
                        [("replica", .string(replica.path)), ("user", .string(replica.user)), ("node", .string(replica.node.description))])
    }
}

struct LoginCommand: Command {
    static let spec = CommandSpec(
        name: "login", summary: "store the server URL and your token in the replica",
        options: [.value("server", "URL", "the sync server, such as https://gsp.example.com", required: true),
                  .value("token", "TOKEN", "your access token", required: true),
                  .value("ca-file", "PEM", "trust the certificate authorities in this PEM file (a company CA) instead of the system's; they are stored in the replica"),
                  .flag("insecure", "allow plain http:// to a server on another machine (only on a network you trust)"), .json],
        discussion: """
            The token is kept in the replica file's meta table; login makes the file (and its -wal and -shm files)
            readable by their owner only (mode 0600). Plain http:// is refused for any host but this machine
            (localhost, 127.0.0.0/8, ::1) unless --insecure: use the server's https:// address. --ca-file and
            --insecure are stored with the server and used by every sync; logging in again without them drops them.
            The CA certificates are checked and copied into the replica at login: the PEM file may move afterwards.
            """)

    let server: String, token: String, caFile: String?, insecure: Bool
    init(_ arguments: ParsedArguments) throws(UsageError) {
        server = try arguments.required("server")
        token = try arguments.required("token")
        caFile = arguments.option("ca-file")
        insecure = arguments.flag("insecure")
    }

    func validate() throws(UsageError) {
        do { _ = try ServerEndpoint(server: server, token: token, insecure: insecure) } catch {
            throw UsageError(error.message, command: "login")
        }
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let (server, token, caFile, insecure) = (server, token, caFile, insecure)
        // The certificates are checked and read now, and stored by login: the file may move afterwards.
        let endpoint = try ServerEndpoint(server: server, token: token, caCertificates: try caFile.map(CACertificates.read), insecure: insecure)
        let identity: ServerIdentity
        do {
            identity = try runBlocking { try await ServerIdentity.fetch(endpoint) }
        } catch let error as SyncError where error.isTransient {
            // Offline is normal for a rep: keep the settings, the next sync checks the token.
            try replica.login(server: server, token: token, caFile: caFile, insecure: insecure)
            context.note("could not check the token now (\(error.message)); saved anyway: 'gsp sync' will check it")
            context.confirm("login", "saved server \(endpoint.server); run 'gsp sync' when online",
                            [("server", .string(endpoint.server)), ("user", .string(replica.user)), ("role", .null), ("checked", .bool(false))])
            return
        }
        guard identity.name == replica.user else {
            throw ReplicaError(.wrongUser, "this token is \(identity.name)'s, but this replica belongs to \(replica.user): use your own token, or create a replica for \(identity.name) with 'gsp --replica PATH init --user \(UserName.commandWord(identity.name))'")
        }
        try replica.login(server: server, token: token, role: identity.role, caFile: caFile, insecure: insecure)
        context.confirm("login", "logged in to \(endpoint.server) as \(identity.name) (\(identity.role)); run 'gsp sync' to sync",
                        [("server", .string(endpoint.server)), ("user", .string(identity.name)), ("role", .string(identity.role)), ("checked", .bool(true))])
    }
}
