import Foundation
import GSPClient

struct SyncCommand: Command {
    static let spec = CommandSpec(
        name: "sync", summary: "push local changes and pull the server's",
        options: [.value("retries", "N", "times to retry a round after a network error or a busy server (default 4; waits 1, 2, 4, 8 s)"),
                  .json],
        discussion: """
            Needs 'gsp login' first. Pushes everything pending and pulls until the server has no more.
            Progress goes to stderr when it is a terminal; retries are always noted on stderr.
            A failure is kept for 'gsp status' until a sync finishes.
            """)

    let retries: Int
    init(_ arguments: ParsedArguments) throws(UsageError) {
        let value = try arguments.integer("retries") ?? Int64(RetryPolicy.standard.maxRetries)
        guard (0...100).contains(value) else { throw UsageError("--retries takes a number from 0 to 100", command: "sync") }
        retries = Int(value)
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let server = try replica.serverEndpoint().server
        let showProgress = context.stderrIsTerminal && !context.json
        let policy = RetryPolicy(maxRetries: retries)
        // On a terminal, one progress line rewritten in place; retry notes get lines of their own.
        final class ProgressLine { var open = false }
        let line = ProgressLine()
        let summary: SyncSummary
        defer { if line.open { context.noteInline("\n") } }
        summary = try blockingSync(replica) { progress in
            if let retry = progress.nextRetry {
                if line.open { context.noteInline("\n"); line.open = false }
                context.note("gsp: \(retry.reason); retrying in \(Self.seconds(retry.delay)) (attempt \(retry.attempt) of \(retry.of))")
            } else if showProgress {
                context.noteInline("\rsync: \(progress.rounds) round(s), \(progress.pushed) pushed, \(progress.pulled) pulled")
                line.open = true
            }
        } sync: { replica, progress in try await replica.sync(retry: policy, progress: progress) }
        if line.open { context.noteInline("\n"); line.open = false }
        var text = "synced with \(server): pushed \(summary.pushed), pulled \(summary.pulled)"
        // A pull hands back this replica's own pushes too: say how many were nothing new.
        let known = summary.pulled - summary.applied
        if known > 0 { text += known == summary.pulled ? " (all already here)" : " (\(summary.applied) new, \(known) already here)" }
        if summary.refused > 0 { text += ", \(summary.refused) refused (see 'gsp pending')" }
        if summary.retries > 0 { text += "; \(summary.retries) retr\(summary.retries == 1 ? "y" : "ies") after network or server trouble" }
        if summary.batchSplits > 0 { text += "; the server wanted smaller batches (split \(summary.batchSplits) time(s))" }
        if summary.restamped > 0 { text += "; this device's clock is off, \(summary.restamped) change(s) re-stamped" }
        if summary.requeuedForNewEpoch > 0 { text += "; the server was restored, \(summary.requeuedForNewEpoch) value(s) sent again" }
        // Not the rep's refusals: values others wrote, which their own replicas send again.
        if summary.relayedNotTaken > 0 { text += "; \(summary.relayedNotTaken) value(s) written by others were not taken from you (their writers' replicas send them again)" }
        if context.json {
            context.printJSON(.object([
                ("action", .string("sync")), ("server", .string(server)), ("rounds", .integer(summary.rounds)), ("pushed", .integer(summary.pushed)), ("refused", .integer(summary.refused)),
                ("pulled", .integer(summary.pulled)), ("applied", .integer(summary.applied)), ("dropped_rows", .integer(summary.droppedRows)),
                ("restamped", .integer(summary.restamped)), ("requeued_for_new_epoch", .integer(summary.requeuedForNewEpoch)),
                ("relayed_not_taken", .integer(summary.relayedNotTaken)),
                ("retries", .integer(summary.retries)), ("batch_splits", .integer(summary.batchSplits)),
                ("pending", .integer(try replica.pendingCount())), ("message", .string(text)),
            ]))
        } else {
            context.print(text)
            // The refusals of this sync are the newest ones.
            if summary.refused > 0 { for line in StatusCommand.refusedLines(Array(try replica.refusedChanges().prefix(summary.refused)), limit: 5) { context.print(line) } }
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        return fraction == 0 ? "\(whole)s" : String(format: "%.1fs", Double(whole) + Double(fraction) / 1e18)
    }

    /// Runs the async sync from this synchronous command. The replica is used only by the
    /// sync task while the caller waits, so handing it over is safe.
    private func blockingSync(_ replica: Replica, progress: @escaping (SyncSummary) -> Void,
                              sync: @escaping (Replica, (SyncSummary) -> Void) async throws -> SyncSummary) throws -> SyncSummary {
        final class Box: @unchecked Sendable {
            // @unchecked: written by the task before `done` is signalled, read after the wait;
            // the replica and the closures are used by that task only while the caller waits.
            var result: Result<SyncSummary, any Error>?
            let replica: Replica
            let progress: (SyncSummary) -> Void
            let sync: (Replica, (SyncSummary) -> Void) async throws -> SyncSummary
            init(_ replica: Replica, _ progress: @escaping (SyncSummary) -> Void,
                 _ sync: @escaping (Replica, (SyncSummary) -> Void) async throws -> SyncSummary) {
                self.replica = replica
                self.progress = progress
                self.sync = sync
            }
        }
        let box = Box(replica, progress, sync)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                box.result = .success(try await box.sync(box.replica, box.progress))
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}
