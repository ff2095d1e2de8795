import Foundation
import Testing
import GSPCore
@testable import GSPServer
import GSPPostgres
import GSPTestSupport

/// A server that stops mid-merge (a paused VM, SIGSTOP, a network cut) must not stall every
/// other server on the database: the merge lock it holds is bounded on both sides.
@Suite("PostgreSQL: a frozen server cannot stall the others", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct PostgresSessionLimitTests {
    @Test func aMergeLockHeldByAFrozenServerTimesOutForOthersAndIsThenReleased() throws {
        let database = try PostgresTestDatabase()
        let limits = PostgresServerStore.SessionLimits(lockTimeoutSeconds: 1, idleInTransactionSeconds: 3)
        let store = try PostgresServerStore(url: database.url, limits: limits)
        // The frozen server: a session set up as the store's are, holding the merge lock, silent.
        let frozen = try PostgresConnection(url: database.url, setup: PostgresServerStore.sessionSetup(limits))
        try frozen.execute("BEGIN")
        try frozen.execute("SELECT last_seq FROM sequence_allocator WHERE id = 1 FOR UPDATE")
        let frozenAt = Date()

        var writer = Writer()
        let deal = RowID()
        let batch = writer.deal(deal, owner: "alice")
        // Another server's push gives up after lock_timeout: a 503 (busy), nothing stored.
        do {
            try store.push(batch, as: manager, node: writer.node)
            Issue.record("a push went through while another session held the merge lock")
        } catch {
            let failure = StoreFailure(error, doing: "a test push")
            #expect(failure.status == 503 && failure.retryAfter != nil, "\(error)")
            #expect(!failure.clientMessage.contains("sequence_allocator"), "the client is told no SQL")
        }
        #expect(try store.history(since: nil, limit: 10).isEmpty)

        // PostgreSQL ends the idle transaction, which frees the lock: the push goes through.
        while Date().timeIntervalSince(frozenAt) < 3.5 { usleep(100_000) }
        try store.push(batch, as: manager, node: writer.node)
        #expect(try store.history(since: nil, limit: 10).count == batch.count)
        #expect(throws: PostgresError.self, "the frozen session was ended") { try frozen.execute("SELECT 1") }
    }
}
