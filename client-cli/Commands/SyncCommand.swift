import Foundation
import GSPClient

struct SyncCommand: Command {
    static let spec = CommandSpec(
        name: "sync", summary: "push local changes and pull the server's", options: [.json],
        discussion: "Needs 'gsp login' first. Progress goes to stderr when it is a terminal.")

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let state = try replica.syncState()
        guard let server = state.serverURL, let token = state.token else {
            throw SyncError(.notLoggedIn, "no server yet: run 'gsp login --server URL --token TOKEN'")
        }
        let transport = try HTTPTransport(server: server, token: token)
        let showProgress = context.stderrIsTerminal && !context.json
        let summary = try blockingSync(replica, transport) { progress in
            if showProgress { context.note("sync: \(progress.rounds) round(s), \(progress.pushed) pushed, \(progress.pulled) pulled") }
        }
        if context.json {
            context.printJSON(.object([
                ("rounds", .integer(summary.rounds)), ("pushed", .integer(summary.pushed)), ("refused", .integer(summary.refused)),
                ("pulled", .integer(summary.pulled)), ("applied", .integer(summary.applied)), ("dropped_rows", .integer(summary.droppedRows)),
                ("restamped", .integer(summary.restamped)), ("requeued_for_new_epoch", .integer(summary.requeuedForNewEpoch)),
                ("pending", .integer(try replica.pendingCount())),
            ]))
        } else {
            var line = "synced with \(server): pushed \(summary.pushed), pulled \(summary.pulled)"
            if summary.refused > 0 { line += ", \(summary.refused) refused (see 'gsp pending')" }
            if summary.restamped > 0 { line += "; this device's clock is off, \(summary.restamped) change(s) re-stamped" }
            if summary.requeuedForNewEpoch > 0 { line += "; the server was restored, \(summary.requeuedForNewEpoch) value(s) sent again" }
            context.print(line)
        }
    }

    /// Runs the async sync from this synchronous command. The replica is used only by the
    /// sync task while the caller waits, so handing it over is safe.
    private func blockingSync(_ replica: Replica, _ transport: HTTPTransport,
                              progress: @escaping (SyncSummary) -> Void) throws -> SyncSummary {
        final class Box: @unchecked Sendable {
            // @unchecked: written by the task before `done` is signalled, read after the wait.
            var result: Result<SyncSummary, any Error>?
            let replica: Replica
            let progress: (SyncSummary) -> Void
            init(_ replica: Replica, _ progress: @escaping (SyncSummary) -> Void) {
                self.replica = replica
                self.progress = progress
            }
        }
        let box = Box(replica, progress)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                box.result = .success(try await box.replica.sync(transport: transport, codec: WireSyncCodec(), progress: box.progress))
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}
