import GSPClient

struct SyncCommand: Command {
    static let spec = CommandSpec(name: "sync", summary: "push local changes and pull the server's", options: [.json])

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: Context) throws {
        throw ReplicaError(.invalidState, "sync is not available in this build yet: your changes stay pending (gsp pending) until it is")
    }
}
