import Foundation
import Testing
import GSPCore
import GSPServer
import GSPWire
import GSPTestSupport

@Suite("HTTP server: routes, auth, sync")
struct ServerHTTPTests {
    @Test func healthAndWhoAmI() async throws {
        let fixture = try ServerFixture()
        #expect(try await fixture.send("GET", "/healthz", token: nil).status == 200)
        let whoami = try await fixture.send("GET", "/v1/whoami", token: fixture.tokens["alice"])
        #expect(whoami.status == 200)
        #expect(String(decoding: whoami.body, as: UTF8.self).contains("\"name\":\"alice\""))
        #expect(try await fixture.send("GET", "/nowhere", token: nil).status == 404)
        #expect(try await fixture.send("DELETE", "/healthz", token: nil).status == 405)
    }

    @Test func badTokensGet401AndRepsGet403OnManagerRoutes() async throws {
        let fixture = try ServerFixture()
        #expect(try await fixture.send("GET", "/v1/whoami", token: nil).status == 401)
        #expect(try await fixture.send("GET", "/v1/whoami", token: "not-a-token").status == 401)
        let request = SyncRequest(node: NodeID(), knownEpoch: nil, cursor: 0, pageSize: 100, changes: [])
        let (status, body, type) = try await fixture.send("POST", "/v1/sync", token: "wrong", body: Frame.encode(.request(request)))
        #expect(status == 401)
        #expect(type == "application/x-gsp-frame")
        #expect(try Frame.decode(body).error?.code == .unauthorized)
        #expect(try await fixture.send("GET", "/v1/conflicts", token: fixture.tokens["alice"]).status == 403)
        #expect(try await fixture.send("GET", "/v1/reports/funnel", token: fixture.tokens["bob"]).status == 403)
        #expect(try await fixture.send("GET", "/v1/conflicts", token: fixture.tokens["meg"]).status == 200)
        try fixture.store.revokeUser(named: "bob")
        #expect(try await fixture.send("GET", "/v1/whoami", token: fixture.tokens["bob"]).status == 401)
    }

    @Test func aRepCreatesADealAndTheManagerPullsIt() async throws {
        let fixture = try ServerFixture()
        var writer = Writer()
        writer.clock = UInt64(Date().timeIntervalSince1970 * 1000)
        let deal = RowID()
        let push = SyncRequest(node: writer.node, knownEpoch: nil, cursor: 0, pageSize: 100,
                               changes: writer.deal(deal, owner: "alice").pushed)
        let first = try await fixture.sync(as: "alice", push)
        #expect(first.status == 200)
        let response = try #require(first.message.response)
        #expect(response.acknowledged == 2)
        #expect(response.refusals.isEmpty)
        #expect(response.changes.count == 2)
        #expect(response.epoch == (try fixture.store.epoch()))
        #expect(response.serverTime.milliseconds >= writer.clock)

        let managerPull = try await fixture.sync(as: "meg", SyncRequest(node: NodeID(), knownEpoch: response.epoch, cursor: 0, pageSize: 1, changes: []))
        let page = try #require(managerPull.message.response)
        #expect(page.changes.count == 1)
        #expect(page.hasMore)
        #expect(page.nodes[writer.node] == "alice")
        let bobPull = try #require(try await fixture.sync(as: "bob", SyncRequest(node: NodeID(), knownEpoch: nil, cursor: 0, pageSize: 100, changes: [])).message.response)
        #expect(bobPull.changes.isEmpty)
    }

    @Test func aCorruptFrameIsRefusedAndChangesNothing() async throws {
        let fixture = try ServerFixture()
        var writer = Writer()
        writer.clock = UInt64(Date().timeIntervalSince1970 * 1000)
        var frame = Frame.encode(.request(SyncRequest(node: writer.node, knownEpoch: nil, cursor: 0, pageSize: 10,
                                                      changes: writer.deal(RowID(), owner: "meg").pushed)))
        frame[frame.count - 3] ^= 0xFF
        let (status, body, _) = try await fixture.send("POST", "/v1/sync", token: fixture.tokens["meg"], body: frame)
        #expect(status == 400)
        let error = try #require(try Frame.decode(body).error)
        #expect(error.message.contains("nothing was changed"))
        #expect(try await fixture.send("POST", "/v1/sync", token: fixture.tokens["meg"], body: Data("hello".utf8)).status == 400)
        #expect(try fixture.store.pullAll(user: manager).changes.isEmpty)
    }

    @Test func anOversizedBodyGets413() async throws {
        let fixture = try ServerFixture(maxBodyBytes: 64 << 10)
        let (status, body, _) = try await fixture.send("POST", "/v1/sync", token: fixture.tokens["meg"], body: Data(count: 4 << 20))
        #expect(status == 413)
        // Like every refusal on /v1/sync, an error frame.
        let error = try #require(try Frame.decode(body).error)
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("larger than the limit"))
        // The connection is still usable afterwards, and nothing was stored.
        #expect(try await fixture.send("GET", "/healthz", token: nil).status == 200)
        #expect(try fixture.store.pullAll(user: manager).changes.isEmpty)
    }

    @Test func changesFromTheFutureAreRefusedWithTheServerTime() async throws {
        let fixture = try ServerFixture()
        var writer = Writer()
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        writer.clock = now + 120_000
        let request = SyncRequest(node: writer.node, knownEpoch: nil, cursor: 0, pageSize: 10, changes: writer.deal(RowID(), owner: "meg").pushed)
        let answer = try await fixture.sync(as: "meg", request)
        #expect(answer.status == 422)
        let error = try #require(answer.message.error)
        #expect(error.code == .clockSkew)
        let serverTime = try #require(error.serverTime)
        #expect(serverTime.milliseconds >= now && serverTime.milliseconds < writer.clock)
        #expect(error.message.contains("ahead of the server clock"))
        #expect(try fixture.store.pullAll(user: manager).changes.isEmpty)
        #expect(try fixture.store.acknowledged(node: writer.node) == 0)
    }

    @Test func anotherEpochStillSyncsFromTheStart() async throws {
        let fixture = try ServerFixture()
        var writer = Writer()
        writer.clock = UInt64(Date().timeIntervalSince1970 * 1000)
        _ = try await fixture.sync(as: "meg", SyncRequest(node: writer.node, knownEpoch: nil, cursor: 0, pageSize: 10, changes: writer.deal(RowID(), owner: "meg").pushed))
        let stale = SyncRequest(node: NodeID(), knownEpoch: UUID(), cursor: 1_000_000, pageSize: 10, changes: [])
        let answer = try #require(try await fixture.sync(as: "meg", stale).message.response)
        #expect(answer.epoch == (try fixture.store.epoch()))
        #expect(answer.changes.count == 2, "a cursor from another epoch is ignored")
    }

    @Test func refusalsAndDroppedRowsTravelInTheFrame() async throws {
        let fixture = try ServerFixture()
        var meg = Writer(), al = Writer()
        meg.clock = UInt64(Date().timeIntervalSince1970 * 1000)
        al.clock = meg.clock + 100
        let mine = RowID(), bobs = RowID()
        let setup = SyncRequest(node: meg.node, knownEpoch: nil, cursor: 0, pageSize: 100,
                                changes: (meg.deal(mine, owner: "alice") + meg.deal(bobs, owner: "bob")).pushed)
        #expect(try await fixture.sync(as: "meg", setup).status == 200)
        let first = try #require(try await fixture.sync(as: "alice", SyncRequest(node: al.node, knownEpoch: nil, cursor: 0, pageSize: 100, changes: [])).message.response)
        #expect(first.changes.count == 2)

        let push = SyncRequest(node: al.node, knownEpoch: first.epoch, cursor: first.cursor, pageSize: 100,
                               changes: [al.change("deals", bobs, "stage", .text("poc")), al.change("deals", mine, "owner", .text("bob"))].pushed)
        let answer = try #require(try await fixture.sync(as: "alice", push).message.response)
        #expect(answer.acknowledged == 2)
        #expect(answer.refusals.map(\.seq) == [1])
        #expect(answer.refusals.first?.code == .outOfScope)
        #expect(answer.dropped == [DroppedRow(table: "deals", row: mine)])
        #expect(answer.changes.isEmpty)
    }
}

@Suite("Field policy")
struct FieldPolicyTests {
    @Test func aRepsGateOverrideIsRefusedButTheMoveIsKept() async throws {
        let fixture = try ServerFixture()
        var writer = Writer()
        writer.clock = UInt64(Date().timeIntervalSince1970 * 1000)
        let deal = RowID()
        let changes = writer.deal(deal, owner: "alice") + [writer.change("deals", deal, "stage", .text("main_contract")),
                                                          writer.change("deals", deal, "stage_override", .text("rep says so"))]
        let answer = try #require(try await fixture.sync(as: "alice", SyncRequest(node: writer.node, knownEpoch: nil, cursor: 0, pageSize: 100, changes: changes.pushed)).message.response)
        #expect(answer.acknowledged == 4)
        #expect(answer.refusals.map(\.seq) == [4])
        #expect(answer.refusals.first?.code == .forbidden)
        #expect(answer.refusals.first?.reason.contains("managers") == true)
        let stored = try fixture.store.pullAll(user: manager).changes
        #expect(stored.contains { $0.field == "stage" && $0.value == .text("main_contract") })
        #expect(!stored.contains { $0.field == "stage_override" })

        var boss = Writer()
        boss.clock = writer.clock + 10
        let confirm = [boss.change("deals", deal, "stage_override", .text("confirmed by meg"))]
        let managerAnswer = try #require(try await fixture.sync(as: "meg", SyncRequest(node: boss.node, knownEpoch: nil, cursor: 0, pageSize: 100, changes: confirm.pushed)).message.response)
        #expect(managerAnswer.refusals.isEmpty)
        #expect(try fixture.store.pullAll(user: manager).changes.contains { $0.field == "stage_override" })
    }
}
