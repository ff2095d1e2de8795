import Foundation
import GSPCore
import GSPServer
import GSPStore
import GSPTestSupport

/// The store backends the shared conformance tests run on: SQLite always, PostgreSQL when
/// GSP_TEST_POSTGRES_URL names a server (`make test` starts one).
enum StoreBackend: String, Sendable, CustomStringConvertible {
    case sqlite, postgres
    static var available: [StoreBackend] { PostgresTestDatabase.adminURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    var description: String { rawValue }
}

/// A fresh server store of one backend: a SQLite file in its own temporary folder, or a
/// PostgreSQL schema of its own (dropped afterwards).
final class StoreFixture {
    let backend: StoreBackend
    let directory = TemporaryDirectory("gsp-server")
    let store: any ServerStore
    /// What `--db` takes for this store: the SQLite path or the PostgreSQL URL.
    let location: String
    let database: PostgresTestDatabase?

    init(_ backend: StoreBackend = .sqlite) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            database = nil
            location = directory.path("server.db")
        case .postgres:
            let database = try PostgresTestDatabase()
            self.database = database
            location = database.url
        }
        store = try StoreOpener.open(location)
    }

    /// Adds `users` to the store (with throwaway token hashes): a rep may hand a deal only to an active user.
    func addUsers(_ users: User...) throws {
        for user in users { try store.addUser(user, tokenHash: Array(user.name.utf8), beforeCommit: {}) }
    }

    /// Makes the store fail, inside the merge transaction, on a history insert of `field`.
    func injectFailure(onField field: String) throws {
        switch backend {
        case .sqlite:
            let db = try Database(path: location)
            try db.execute("CREATE TRIGGER boom BEFORE INSERT ON history WHEN NEW.field = '\(field)' BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        case .postgres:
            try database!.execute("""
                CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                CREATE TRIGGER boom BEFORE INSERT ON history FOR EACH ROW WHEN (NEW.field = '\(field)') EXECUTE FUNCTION boom();
                """)
        }
    }
}

let manager = User(name: "meg", role: .manager)
let alice = User(name: "alice", role: .rep)
let bob = User(name: "bob", role: .rep)

/// Builds changes for one writer, with HLCs that grow on every call.
struct Writer {
    let node = NodeID()
    var clock: UInt64 = 1_700_000_000_000
    var seq: UInt64 = 0

    mutating func change(_ table: String, _ row: RowID, _ field: String, _ value: Value, prev: HLC = .zero) -> IncomingChange {
        clock += 1
        seq += 1
        return IncomingChange(seq: seq, change: Change(table: table, row: row, field: field, value: value,
                                                       hlc: HLC(milliseconds: clock), node: node, prev: prev))
    }

    /// A deal with a title and an owner.
    mutating func deal(_ row: RowID, owner: String, title: String = "Deal") -> [IncomingChange] {
        [change("deals", row, "title", .text(title)), change("deals", row, "owner", .text(owner))]
    }

    /// A KPI row under `deal`.
    mutating func kpi(_ row: RowID, deal: RowID, metric: String = "fps") -> [IncomingChange] {
        [change("kpis", row, "deal", .text(deal.lowercased)), change("kpis", row, "metric", .text(metric))]
    }
}

extension ServerStore {
    /// Pulls every page from `cursor` with `pageSize`, returning all changes, all drops and the last cursor.
    func pullAll(user: User, from cursor: UInt64 = 0, pageSize: Int = 1000) throws -> (changes: [Change], dropped: [RowRef], cursor: UInt64) {
        var cursor = cursor, changes: [Change] = [], dropped: [RowRef] = []
        while true {
            let page = try pull(user: user, cursor: cursor, limit: pageSize)
            changes += page.changes
            dropped += page.dropped
            cursor = page.cursor
            if !page.hasMore { return (changes, dropped, cursor) }
        }
    }

    @discardableResult
    func push(_ changes: [IncomingChange], as user: User, node: NodeID = NodeID()) throws -> MergeOutcome {
        try merge(changes: changes, user: user, node: node, now: Date())
    }
}

extension Array where Element == Change {
    /// Field value by key, for assertions.
    func value(_ table: String, _ row: RowID, _ field: String) -> Value? {
        last { $0.table == table && $0.row == row && $0.field == field }?.value
    }
    var rows: Set<RowID> { Set(map(\.row)) }
}
