import Foundation
import Testing
import GSPServer

@Suite("Tokens and request log")
struct TokenAndLogTests {
    @Test func tokensAreRandomAndOnlyTheirHashesMatch() throws {
        let a = try Token.generate(), b = try Token.generate()
        #expect(a != b)
        #expect(a.count == 43)
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(Token.hash(a).count == 32)
        #expect(Token.hash(a) == Token.hash(a))
        #expect(Token.constantTimeEqual(Token.hash(a), Token.hash(a)))
        #expect(!Token.constantTimeEqual(Token.hash(a), Token.hash(b)))
        #expect(!Token.constantTimeEqual([], []))
        // SHA-256 of "abc", the FIPS 180-2 example.
        #expect(Token.hash("abc").map { String(format: "%02x", $0) }.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: StoreBackend.available) func theAuthenticatorIgnoresRevokedAndMalformedCredentials(_ backend: StoreBackend) throws {
        let fixture = try StoreFixture(backend)
        let token = try Token.generate()
        try fixture.store.addUser(User(name: "alice", role: .rep), tokenHash: Token.hash(token))
        let auth = Authenticator(store: fixture.store)
        #expect(try auth.user(authorization: "Bearer \(token)")?.name == "alice")
        #expect(try auth.user(authorization: "bearer \(token)")?.name == "alice")
        #expect(try auth.user(authorization: token) == nil)
        #expect(try auth.user(authorization: "Bearer ") == nil)
        #expect(throws: ServerStoreError.self) { try fixture.store.addUser(User(name: "alice", role: .rep), tokenHash: Token.hash(token)) }
        for bad in ["bad/name", " lead", "two  spaces", "tab\tname", ""] {
            #expect(throws: ServerStoreError.self) { try fixture.store.addUser(User(name: bad, role: .rep), tokenHash: Token.hash(bad)) }
        }
        // Names are what a deal's owner field holds: real names with inner spaces work.
        try fixture.store.addUser(User(name: "Ana Lima", role: .rep), tokenHash: Token.hash("another token"))
        try fixture.store.revokeUser(named: "alice")
        #expect(try auth.user(authorization: "Bearer \(token)") == nil)
        #expect(throws: ServerStoreError.self) { try fixture.store.revokeUser(named: "nobody") }
    }

    @Test func oneJSONObjectPerRequest() throws {
        var response = HTTPResponse.text(200, "ok")
        response.user = "alice"
        response.changesIn = 3
        response.changesOut = 7
        let line = RequestLog.line(HTTPRequest(method: "POST", path: "/v1/sync"), response, .milliseconds(12))
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "POST")
        #expect(object["path"] as? String == "/v1/sync")
        #expect(object["status"] as? Int == 200)
        #expect(object["user"] as? String == "alice")
        #expect(object["changesIn"] as? Int == 3)
        #expect(object["changesOut"] as? Int == 7)
        #expect(object["ms"] as? Double == 12)
    }
}
