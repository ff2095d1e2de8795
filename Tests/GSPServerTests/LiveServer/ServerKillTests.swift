import Foundation
import Testing
import GSPCore
import GSPStore
import GSPWire
import GSPTestSupport

/// Issue 4, "no lost acknowledged change, no double application": the real `gsp-server` is
/// killed with SIGKILL at random moments while three clients push; after each restart every
/// acknowledged change is there, and pushing everything again changes nothing twice.
@Suite("Live server: SIGKILL during pushes")
struct ServerKillTests {
    /// One pushing client: a change log with local sequences, like a replica's outbox.
    struct Client: Sendable {
        let node = NodeID(), deal = RowID()
        var clock = HybridClock()
        var generated: [PushedChange] = []
        var pending: [PushedChange] = []
        var acknowledged: [PushedChange] = []

        mutating func topUp(to count: Int) {
            while pending.count < count {
                let seq = UInt64(generated.count + 1)
                let hlc = clock.tick(wallMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
                // Few fields, rewritten often, each write built on the one before (prev).
                let field = "f\(seq % 7)"
                let prev = generated.last { $0.change.field == field }?.change.hlc ?? .zero
                let change = PushedChange(seq: seq, change: Change(table: "deals", row: deal, field: field,
                                                                   value: .integer(Int64(seq)), hlc: hlc, node: node, prev: prev))
                generated.append(change)
                pending.append(change)
            }
        }
    }

    @Test func acknowledgedChangesSurviveSigkillAndRepushesChangeNothing() async throws {
        let seed = TestSeed.derive(4_101)
        print("ServerKillTests seed \(seed) (replay with GSP_TEST_SEED=\(TestSeed.base))")
        var rng = SeededGenerator(seed: seed)
        let team = try LiveTeam(users: [("meg", "manager")], start: false)
        let token = team.tokens["meg"]!
        var clients = [Client(), Client(), Client()]
        var kills = 0
        for trial in 0..<24 {
            try team.server.start()
            // Every change acknowledged before any earlier kill is on the restarted server.
            let missing = try Self.missing(clients.flatMap(\.acknowledged), in: team)
            #expect(missing.isEmpty, "seed \(seed) trial \(trial): \(missing.count) acknowledged change(s) lost, e.g. \(missing.first.map { "\($0.change.field) seq \($0.seq)" } ?? "")")
            let url = team.server.url
            async let pushed = Self.pushUntilRefused(clients, url: url, token: token)
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...150, using: &rng)))
            team.server.kill()
            kills += 1
            clients = await pushed
        }
        try team.server.start()
        #expect(try Self.missing(clients.flatMap(\.acknowledged), in: team).isEmpty)
        let acknowledged = clients.map(\.acknowledged.count).reduce(0, +)
        print("ServerKillTests: \(kills) kills, \(acknowledged) acknowledged of \(clients.map(\.generated.count).reduce(0, +)) changes")
        #expect(acknowledged > 0)

        // Every change ever sent, pushed again (twice): each is stored exactly once.
        for _ in 0..<2 {
            for client in clients {
                for batch in stride(from: 0, to: client.generated.count, by: 200).map({ Array(client.generated[$0..<min($0 + 200, client.generated.count)]) }) {
                    let status = try await Self.push(batch, node: client.node, url: team.server.url, token: token)
                    #expect(status == 200)
                }
            }
            let db = try team.serverDatabase()
            let stored = try db.scalar("SELECT count(*) FROM history")?.integer
            let distinct = try db.scalar("SELECT count(*) FROM (SELECT DISTINCT tbl, row, field, hlc, node FROM history)")?.integer
            #expect(stored == Int64(clients.map(\.generated.count).reduce(0, +)), "every change once, no more")
            #expect(stored == distinct, "a change stored twice")
            #expect(try db.scalar("SELECT count(*) FROM conflicts")?.integer == 0, "one writer per field never conflicts with itself")
        }
        // The winners are each client's last write of each field.
        let db = try team.serverDatabase()
        for client in clients {
            for field in 0..<7 {
                let last = client.generated.last { $0.change.field == "f\(field)" }
                let stored = try db.scalar("SELECT value FROM fields WHERE row = ? AND field = ?", [.text(client.deal.lowercased), .text("f\(field)")])
                #expect(stored?.integer == last.map { Int64($0.seq) })
            }
        }
    }

    /// `gsp-server backup` while clients push: each backup is a consistent database holding at
    /// least what was committed before it began; restored, it takes every re-push exactly once.
    @Test func backupsTakenDuringPushesAreConsistentAndRestorable() async throws {
        let team = try LiveTeam(users: [("meg", "manager")])
        let token = team.tokens["meg"]!
        let url = team.server.url
        async let pushed = Self.pushUntilRefused([Client(), Client()], url: url, token: token)
        var backups: [(path: String, committedBefore: Int64)] = []
        for i in 0..<3 {
            usleep(60_000)
            let committed = try team.serverDatabase().scalar("SELECT count(*) FROM history")?.integer ?? 0
            let path = team.directory.path("backup-\(i).db")
            try team.server.admin(["backup", path])
            backups.append((path, committed))
        }
        team.server.kill()
        let clients = await pushed
        for backup in backups {
            let db = try Database(path: backup.path, create: false, readOnly: true)
            #expect(try db.scalar("PRAGMA integrity_check")?.text == "ok")
            #expect(try db.scalar("SELECT count(*) FROM history")?.integer ?? 0 >= backup.committedBefore)
            let lastSeq = try db.scalar("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'")?.integer ?? -1
            #expect(try db.scalar("SELECT coalesce(max(seq), 0) FROM fields")?.integer ?? .max <= lastSeq, "a field past the backup's last sequence")
        }
        try team.server.admin(["restore", backups[1].path])
        try team.server.start()
        for client in clients {
            for start in stride(from: 0, to: client.generated.count, by: 200) {
                let batch = Array(client.generated[start..<min(start + 200, client.generated.count)])
                #expect(try await Self.push(batch, node: client.node, url: team.server.url, token: token) == 200)
            }
        }
        let db = try team.serverDatabase()
        #expect(try db.scalar("SELECT count(*) FROM history")?.integer == Int64(clients.map(\.generated.count).reduce(0, +)))
        #expect(try db.scalar("SELECT count(*) FROM (SELECT DISTINCT tbl, row, field, hlc, node FROM history)")?.integer
                == Int64(clients.map(\.generated.count).reduce(0, +)))
    }

    /// Pushes batches from every client at once until the server stops answering.
    static func pushUntilRefused(_ clients: [Client], url: String, token: String) async -> [Client] {
        await withTaskGroup(of: (Int, Client).self) { group in
            for (index, start) in clients.enumerated() {
                group.addTask {
                    var client = start
                    while true {
                        client.topUp(to: 25)
                        let batch = Array(client.pending.prefix(25))
                        guard let acknowledged = try? await acknowledge(batch, node: client.node, url: url, token: token) else { break }
                        client.acknowledged += client.pending.filter { $0.seq <= acknowledged }
                        client.pending.removeAll { $0.seq <= acknowledged }
                    }
                    return (index, client)
                }
            }
            var result = clients
            for await (index, client) in group { result[index] = client }
            return result
        }
    }

    static func acknowledge(_ batch: [PushedChange], node: NodeID, url: String, token: String) async throws -> UInt64? {
        let (status, body) = try await send(batch, node: node, url: url, token: token)
        guard status == 200, case .response(let response) = try Frame.decode(body) else { return nil }
        return response.acknowledged
    }

    static func push(_ batch: [PushedChange], node: NodeID, url: String, token: String) async throws -> Int {
        try await send(batch, node: node, url: url, token: token).status
    }

    static func send(_ batch: [PushedChange], node: NodeID, url: String, token: String) async throws -> (status: Int, body: Data) {
        let answer = try await TestHTTP.send("POST", url + "/v1/sync", token: token, contentType: "application/x-gsp-frame",
                                             body: Frame.encode(.request(SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1, changes: batch))))
        return (answer.status, answer.body)
    }

    /// The changes of `expected` the server's history does not hold (with their value).
    static func missing(_ expected: [PushedChange], in team: LiveTeam) throws -> [PushedChange] {
        let db = try team.serverDatabase()
        let find = try db.prepare("SELECT value FROM history WHERE tbl = ? AND row = ? AND field = ? AND hlc = ? AND node = ?")
        return try expected.filter { pushed in
            let c = pushed.change
            try find.bind([.text(c.table), .text(c.row.lowercased), .text(c.field), .integer(Int64(bitPattern: c.hlc.rawValue)), .text(c.node.description)])
            return try find.step()?[0].integer != Int64(pushed.seq)
        }
    }
}
