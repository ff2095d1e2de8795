import Foundation
import Testing
import GSPCore
import GSPPostgres
import GSPServer
import GSPTestSupport
import Synchronization

@Suite("PostgreSQL pipelines", .enabled(if: PostgresTestDatabase.adminURL != nil, "needs GSP_TEST_POSTGRES_URL (scripts/with-postgres.sh)"))
struct PostgresPipelineTests {
    @Test func statementsRunInOrderInOneRoundTrip() throws {
        let database = try PostgresTestDatabase()
        let db = try PostgresConnection(url: database.url)
        try db.execute("CREATE TABLE t (n BIGINT)")
        let before = db.roundTrips
        let results = try db.pipeline([
            PostgresStatement("BEGIN"),
            PostgresStatement("INSERT INTO t VALUES ($1), ($2)", [.integer(1), .integer(2)]),
            PostgresStatement("SELECT sum(n)::bigint FROM t"),
            PostgresStatement("COMMIT"),
        ])
        #expect(db.roundTrips - before == 1)
        #expect(results.count == 4)
        #expect(results[1].affectedRows == 2)
        #expect(results[2].integer(0, 0) == 3, "a statement sees the ones before it")
        #expect(!db.inTransaction)
        #expect(try db.execute("SELECT count(*) FROM t").integer(0, 0) == 2)
    }

    @Test func aFailureSkipsTheRestAndLeavesTheTransactionToRollBack() throws {
        let database = try PostgresTestDatabase()
        let db = try PostgresConnection(url: database.url)
        try db.execute("CREATE TABLE t (n BIGINT PRIMARY KEY)")
        let error = #expect(throws: PostgresError.self) {
            try db.pipeline([
                PostgresStatement("BEGIN"),
                PostgresStatement("INSERT INTO t VALUES (1)"),
                PostgresStatement("INSERT INTO t VALUES (1)"),  // duplicate key
                PostgresStatement("INSERT INTO t VALUES (2)"),
                PostgresStatement("COMMIT"),
            ])
        }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.sql == "INSERT INTO t VALUES (1)")
        #expect(db.isHealthy, "the connection is out of pipeline mode and usable")
        #expect(db.inTransaction, "COMMIT was skipped: the failed transaction waits for a rollback")
        try db.execute("ROLLBACK")
        #expect(try db.execute("SELECT count(*) FROM t").integer(0, 0) == 0)
    }

    @Test func aParameterPostgreSQLCannotTakeSendsNothing() throws {
        let database = try PostgresTestDatabase()
        let db = try PostgresConnection(url: database.url)
        try db.execute("CREATE TABLE t (s TEXT)")
        #expect(throws: PostgresError.self) {
            try db.pipeline([
                PostgresStatement("INSERT INTO t VALUES ($1)", [.text("fine")]),
                PostgresStatement("INSERT INTO t VALUES ($1)", [.text("nul\u{0}inside")]),
            ])
        }
        #expect(try db.execute("SELECT count(*) FROM t").integer(0, 0) == 0, "the first statement must not have run alone")
    }

    @Test func arrayParametersRoundTripExactly() throws {
        let database = try PostgresTestDatabase()
        let db = try PostgresConnection(url: database.url)
        let texts = ["plain", "", "quote \" and back\\slash", "{braces}, commas", "NULL", "日本語 ✓", " spaced "]
        let bytes: [[UInt8]?] = [Array(0...255), [], nil, [0x5C, 0x22, 0x00]]
        let integers: [Int64?] = [Int64.min, -1, 0, nil, Int64.max]
        let results = try db.pipeline([
            PostgresStatement("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i", [.textArray(texts)]),
            PostgresStatement("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i", [.optionalTextArray(["a", nil, "NULL"])]),
            PostgresStatement("SELECT x FROM unnest($1::bytea[]) WITH ORDINALITY AS u(x, i) ORDER BY i", [.byteaArray(bytes)]),
            PostgresStatement("SELECT x FROM unnest($1::bigint[]) WITH ORDINALITY AS u(x, i) ORDER BY i", [.optionalIntegerArray(integers)]),
            PostgresStatement("SELECT x FROM unnest($1::boolean[]) WITH ORDINALITY AS u(x, i) ORDER BY i", [.boolArray([true, false])]),
            PostgresStatement("SELECT count(*) FROM unnest($1::text[])", [.textArray([])]),
        ])
        #expect((0..<results[0].rowCount).map { results[0].text($0, 0) } == texts)
        #expect((0..<results[1].rowCount).map { results[1].optionalText($0, 0) } == ["a", nil, "NULL"])
        #expect((0..<results[2].rowCount).map { results[2].isNull($0, 0) ? nil : results[2].bytes($0, 0) } == bytes)
        #expect((0..<results[3].rowCount).map { results[3].isNull($0, 0) ? nil : results[3].integer($0, 0) } == integers)
        #expect((0..<results[4].rowCount).map { results[4].bool($0, 0) } == [true, false])
        #expect(results[5].integer(0, 0) == 0)
    }
}

@Suite("PostgreSQL store: round trips and concurrent merges", .enabled(if: PostgresTestDatabase.adminURL != nil, "needs GSP_TEST_POSTGRES_URL (scripts/with-postgres.sh)"))
struct PostgresMergeRoundTripTests {
    /// A push costs two round trips whatever it holds: one to lock and read, one to write and
    /// commit. A page of a pull costs one (a manager's) or two (a rep's).
    @Test func aPushTakesTwoRoundTripsWhateverItHoldsAndAPageOneOrTwo() throws {
        let database = try PostgresTestDatabase()
        let store = try PostgresServerStore(url: database.url)
        var w = Writer()
        func trips(_ push: () throws -> Void) rethrows -> Int {
            let before = store.roundTrips
            try push()
            return store.roundTrips - before
        }
        let deals = (0..<50).map { _ in RowID() }
        var creation: [IncomingChange] = []
        for deal in deals { creation += w.deal(deal, owner: "alice") + w.kpi(RowID(), deal: deal) }
        #expect(try trips { try store.push(creation, as: manager, node: w.node) } == 2, "creating 50 deals with their KPIs")
        let edits = deals.map { w.change("deals", $0, "stage", .text("poc")) }
        #expect(try trips { try store.push(edits, as: alice, node: w.node) } == 2, "a rep's edits, scope checked")
        #expect(try trips { try store.push(edits, as: alice, node: w.node) } == 2, "a replay")
        let reassign = deals.prefix(10).map { w.change("deals", $0, "owner", .text("bob")) }
        #expect(try trips { try store.push(Array(reassign), as: manager, node: w.node) } == 2, "reassigning deals resequences their families")
        let move = [w.change("kpis", RowID(), "deal", .text(deals[0].lowercased)), w.change("kpis", RowID(), "deal", .text(deals[1].lowercased))]
        #expect(try trips { try store.push(move, as: manager, node: w.node) } == 2)
        #expect(try trips { try store.push([], as: alice, node: w.node) } == 1, "a pull-only sync records its acknowledgement alone")
        #expect(try trips { _ = try store.pull(user: manager, cursor: 0, limit: 10) } == 1, "a manager's page")
        #expect(try trips { _ = try store.pull(user: bob, cursor: 0, limit: 10) } == 2, "a rep's page, then the rows that left their scope")
        let view = try store.pullAll(user: bob).changes
        #expect(view.rows.count == 10 * 2 + 2, "bob received the reassigned deals, their KPIs and the two KPIs moved under them")
    }

    /// Two stores (as two server processes) merge at once on one database while readers pull
    /// with small pages: every reader ends with exactly the final state, no change skipped.
    @Test func concurrentMergesThroughTwoStoresMissNoChange() async throws {
        let database = try PostgresTestDatabase()
        let stores = [try PostgresServerStore(url: database.url), try PostgresServerStore(url: database.url)]
        let writers = 4, pushes = 15, perPush = 20
        let done = ManagedFlag()
        let readers = try await withThrowingTaskGroup(of: [FieldKey: Change]?.self) { group in
            for index in 0..<writers {
                group.addTask {
                    try await offThePool {
                        var w = Writer()
                        let deals = (0..<perPush).map { _ in RowID() }
                        for round in 0..<pushes {
                            let push = deals.map { w.change("deals", $0, "title", .text("w\(index) r\(round)")) }
                            _ = try stores[index % 2].push(push, as: manager, node: w.node)
                        }
                    }
                    return nil
                }
            }
            for index in 0..<2 {
                group.addTask {
                    try await offThePool {
                        var seen: [FieldKey: Change] = [:]
                        var cursor: UInt64 = 0
                        while true {
                            let finished = done.isSet
                            let page = try stores[index].pull(user: manager, cursor: cursor, limit: 7)
                            for change in page.changes { seen[change.key] = change }
                            cursor = page.cursor
                            if finished && !page.hasMore { return seen }
                        }
                    }
                }
            }
            var results: [[FieldKey: Change]] = []
            var writersLeft = writers
            for try await result in group {
                if let result { results.append(result) } else {
                    writersLeft -= 1
                    if writersLeft == 0 { done.set() }
                }
            }
            return results
        }
        let final = try stores[0].pullAll(user: manager).changes
        let expected = Dictionary(final.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        #expect(expected.count == writers * perPush)
        for seen in readers { #expect(seen == expected, "a reader's cursor skipped a change") }
    }
}

/// A flag set once by one task and read by others.
private final class ManagedFlag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

/// Runs blocking work (database calls) on a thread of its own, off Swift's cooperative pool.
private func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
