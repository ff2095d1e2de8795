import Foundation
import Dispatch
import Testing
import GSPPostgres
import GSPTestSupport

@Suite("PostgreSQL connection pool", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct PostgresPoolTests {
    /// PostgreSQL at max_connections: requests wait for the pool's busy connection instead of
    /// failing with "too many clients" while it is merely in use.
    @Test func aFullDatabaseMakesRequestsWaitForABusyConnectionNotFail() throws {
        let cluster = try PostgresCluster(settings: ["max_connections=6", "superuser_reserved_connections=0"])
        let pool = try PostgresPool(url: cluster.url, size: 4)   // holds one connection from the start
        let others = try (0..<5).map { _ in try PostgresConnection(url: cluster.url) }   // the rest of the 6
        let failures = Failures()
        let done = DispatchGroup()
        for _ in 0..<4 {
            done.enter()
            Thread {
                do { try pool.withConnection { db in _ = try db.execute("SELECT pg_sleep(0.2)") } } catch { failures.add("\(error)") }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(failures.all.isEmpty, "requests failed while a pooled connection was only busy: \(failures.all)")
        withExtendedLifetime(others) {}
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ text: String) { lock.withLock { list.append(text) } }
    var all: [String] { lock.withLock { list } }
}
