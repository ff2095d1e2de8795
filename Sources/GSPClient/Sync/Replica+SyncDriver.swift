import Foundation
import GSPCore

extension Replica {
    /// Syncs with the server stored by `login` (over libcurl on Linux, URLSession elsewhere):
    /// pushes everything pending and pulls until the server has no more. See
    /// `sync(transport:codec:...)`.
    @discardableResult
    public func sync(retry: RetryPolicy = .standard, progress: (SyncSummary) -> Void = { _ in }) async throws -> SyncSummary {
        let transport: HTTPTransport
        do { transport = try HTTPTransport(try serverEndpoint()) } catch {
            try? recordSyncFailure("\(error)")
            throw error
        }
        return try await sync(transport: transport, codec: WireSyncCodec(), retry: retry, progress: progress)
    }

    /// Runs one sync to completion: performs the actions `SyncSession` asks for, against
    /// this replica and `transport`. Each step that changes the replica is its own
    /// transaction, so an interrupted sync resumes cleanly next time. A failure is recorded
    /// (`syncState().lastError`) before it is thrown; a finished sync clears it.
    /// `progress` is called after each round and before each wait to retry.
    @discardableResult
    public func sync(transport: any Transport, codec: any SyncCodec, pushLimit: Int = 1_000, pageSize: UInt32 = 1_000,
                     retry: RetryPolicy = .standard, progress: (SyncSummary) -> Void = { _ in }) async throws -> SyncSummary {
        try checkWritable()
        // Taken before the failure handling below: another sync running is not this replica's failure.
        let lock = try await takeSyncLock()
        defer { withExtendedLifetime(lock) {} }
        do {
            return try await runSync(transport: transport, codec: codec, pushLimit: pushLimit, pageSize: pageSize, retry: retry, progress: progress)
        } catch is CancellationError {
            try? recordSyncFailure("the sync was cancelled before it finished; the changes not sent stay pending")
            throw CancellationError()
        } catch {
            try? recordSyncFailure("\(error)")
            throw error
        }
    }

    private func runSync(transport: any Transport, codec: any SyncCodec, pushLimit: Int, pageSize: UInt32,
                         retry: RetryPolicy, progress: (SyncSummary) -> Void) async throws -> SyncSummary {
        try checkWritable()
        let state = try syncState()
        var session = SyncSession(node: node, knownEpoch: state.epoch, cursor: state.cursor, pushLimit: pushLimit, pageSize: pageSize,
                                  retry: retry)
        var action = session.start()
        // When the last round left, by this device's clock: with its answer's arrival it brackets the server's time.
        var sentAt: UInt64 = 0
        while true {
            switch action {
            case .readPending(let limit):
                let (pending, refused) = try pendingChangesToSend(limit: limit)
                action = session.onPending(pending, refusedLocally: refused)
            case .send(let round):
                let answer: SyncAnswer
                do {
                    let frame = try codec.encode(round)
                    sentAt = wallClock.now()
                    answer = try codec.decode(try await transport.exchange(frame))
                } catch let error as SyncError {
                    action = session.onTransportError(error)
                    continue
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    action = session.onTransportError(SyncError(.protocolError, "sync failed: \(error)"))
                    continue
                }
                switch answer {
                case .reply(let reply): action = session.onReply(reply)
                case .failure(let failure): action = session.onFailure(failure)
                }
            case .apply(let reply, let retry):
                let result = try applyReply(reply, keeping: Set(retry), sentAt: sentAt)
                action = session.onApplied(result)
                progress(session.summary)
            case .restamp(let serverTime):
                action = session.onRestamped(try restamp(after: serverTime))
            case .resetEpoch(let epoch):
                action = session.onEpochReset(try resetForNewEpoch(epoch))
            case .wait(let delay):
                progress(session.summary)
                try await Task.sleep(for: delay)
                action = session.onWaited()
            case .done(let summary):
                try markSynced()
                return summary
            case .fail(let error):
                throw error
            }
        }
    }

    /// Up to `limit` pending changes for the next round, and how many were refused here first.
    /// A change no sync could carry (a value over the wire's limits, written by a gsp that did
    /// not check them) is refused locally, as the server would refuse an invalid value: listed
    /// by 'gsp pending' with code `tooLarge` and taken back, so it never blocks the rest.
    func pendingChangesToSend(limit: Int) throws -> (changes: [PendingChange], refused: Int) {
        var refused = 0
        while true {
            let pending = try pendingChanges(limit: limit)
            let uncarriable = pending.compactMap { p in
                ValueLimits.problem(table: p.change.table, field: p.change.field, value: p.change.value).map {
                    (seq: p.seq, code: SyncRefusal.tooLarge, reason: "not sent, as no sync can carry it: \($0), then set it again")
                }
            }
            guard !uncarriable.isEmpty else { return (pending, refused) }
            try recordRefusals(uncarriable)
            refused += uncarriable.count
        }
    }

    /// Applies one reply: refusals, acknowledgement, then the pulled page with its cursor and
    /// epoch. The `keeping` sequences stay pending.
    func applyReply(_ reply: SyncReply, keeping: Set<UInt64> = [], sentAt: UInt64? = nil) throws -> PullResult {
        try transaction {
            let relayed = try recordRefusalsLocked(reply.refusals.filter { !keeping.contains($0.seq) }.map { ($0.seq, $0.code, $0.reason) })
            try acknowledgeLocked(upTo: reply.acknowledged, except: keeping)
            try setMeta(.epoch, .text(reply.epoch.uuidString.lowercased()))
            try learnClockOffset(serverTime: reply.serverTime, sentAt: sentAt)
            var result = try applyPulledLocked(changes: reply.changes, dropped: reply.dropped, nodes: reply.nodes, cursor: reply.cursor)
            result.relayedRefusals = relayed
            if !reply.hasMore { result.droppedRows += try finishResync() }
            return result
        }
    }
}
