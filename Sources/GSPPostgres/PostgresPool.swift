import Foundation
import Synchronization

/// A few connections to one database, shared by the threads of a server.
///
/// Each call borrows a connection for the whole of `body`. A connection found broken (the
/// server restarted) is reset before use; if `body` fails because the connection broke, it
/// is run once more on a fresh connection when `retry` allows it.
// @unchecked: `idle` and `open` are only touched while `condition` is locked; a connection
// is used by one thread at a time, between its removal from `idle` and its return.
public final class PostgresPool: @unchecked Sendable {
    public let url: String
    public let size: Int
    private let setup: @Sendable (PostgresConnection) throws -> Void
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private let trips = Atomic<Int>(0)

    /// Round trips to the server made by every call so far (see `PostgresConnection.roundTrips`).
    public var roundTrips: Int { trips.load(ordering: .relaxed) }

    /// Connects once right away, so a wrong URL or an unreachable server fails at start.
    public init(url: String, size: Int = 4, setup: @escaping @Sendable (PostgresConnection) throws -> Void = { _ in }) throws(PostgresError) {
        self.url = url
        self.size = max(1, size)
        self.setup = setup
        idle = [try PostgresConnection(url: url, setup: setup)]
        open = 1
    }

    /// Runs `body` with a connection of its own.
    public func withConnection<T>(retry: Bool = true, _ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try borrow()
            let tripsBefore = connection.roundTrips
            defer {
                trips.add(connection.roundTrips - tripsBefore, ordering: .relaxed)
                giveBack(connection)
            }
            do {
                if !connection.isHealthy { try connection.reset() }
                // A transaction left open by a failure would swallow the next statements.
                if connection.inTransaction { try connection.execute("ROLLBACK") }
                return try body(connection)
            } catch let error as PostgresError where error.isConnectionFailure && retry && attempt == 1 {
                continue
            }
        }
    }

    private func borrow() throws(PostgresError) -> PostgresConnection {
        var ceiling = size
        while true {
            condition.lock()
            while idle.isEmpty && open >= ceiling { condition.wait() }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            open += 1
            condition.unlock()
            do {
                return try PostgresConnection(url: url, setup: setup)
            } catch {
                condition.lock()
                open -= 1
                let others = open
                condition.signal()
                condition.unlock()
                // PostgreSQL has no connection to spare (53300 "too many clients"): wait for one of
                // ours to come back rather than refuse the request while they are merely busy.
                guard error.sqlState == "53300" || error.message.contains("too many clients"), others > 0 else { throw error }
                ceiling = others
            }
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }
}
