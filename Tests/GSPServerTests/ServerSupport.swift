import Foundation
import GSPCore
import GSPServer
import GSPWire
import GSPTestSupport

/// A real server on 127.0.0.1 (a free port) over a fresh store, with a manager and two reps.
final class ServerFixture {
    let storeFixture: StoreFixture
    let server: SyncServer
    var tokens: [String: String] = [:]
    var store: any ServerStore { storeFixture.store }

    init(_ backend: StoreBackend = .sqlite, maxBodyBytes: Int = (16 << 20) + (64 << 10)) throws {
        storeFixture = try StoreFixture(backend)
        for user in [manager, alice, bob] {
            let token = try Token.generate()
            try storeFixture.store.addUser(user, tokenHash: Token.hash(token))
            tokens[user.name] = token
        }
        server = try SyncServer(store: storeFixture.store,
                                configuration: ServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes, logRequests: false))
    }

    deinit { server.stop(timeout: .seconds(5)) }

    func url(_ path: String) -> URL { URL(string: server.url + path)! }

    /// Sends one request and returns the status and body.
    func send(_ method: String, _ path: String, token: String?, body: Data? = nil) async throws -> (status: Int, body: Data, contentType: String?) {
        let answer = try await TestHTTP.send(method, server.url + path, token: token,
                                             contentType: body == nil ? nil : "application/x-gsp-frame", body: body ?? Data())
        return (answer.status, answer.body, answer.headers["content-type"])
    }

    /// One sync round trip as `user`; returns the status and the decoded message.
    func sync(as user: String, _ request: SyncRequest) async throws -> (status: Int, message: Message) {
        let (status, body, _) = try await send("POST", "/v1/sync", token: tokens[user], body: Frame.encode(.request(request)))
        return (status, try Frame.decode(body))
    }
}

extension Message {
    var response: SyncResponse? { if case .response(let r) = self { r } else { nil } }
    var error: ErrorMessage? { if case .error(let e) = self { e } else { nil } }
}

extension Array where Element == IncomingChange {
    var pushed: [PushedChange] { map { PushedChange(seq: $0.seq, change: $0.change) } }
}
