import Foundation
import Testing
@testable import GSPClient
import GSPTestSupport

/// Where a replica may sync to: plain http:// only to this machine unless --insecure; the
/// token's file private at login.
@Suite struct ServerEndpointTests {
    @Test(arguments: ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"])
    func loopbackHostsMayUsePlainHTTP(host: String) throws {
        #expect(ServerEndpoint.isLoopback(host))
        let url = host.contains(":") && !host.hasPrefix("[") ? "http://[\(host)]:8080" : "http://\(host):8080"
        #expect(try ServerEndpoint(server: url, token: "t").server == url)
    }

    @Test(arguments: ["gsp.example.com", "10.0.0.5", "128.0.0.1", "0.0.0.0", "::2", "localhost.example.com", "127.0.0.1.nip.io", "1270.0.0.1"])
    func otherHostsNeedHTTPSOrInsecure(host: String) throws {
        #expect(!ServerEndpoint.isLoopback(host))
        let url = host.contains(":") ? "http://[\(host)]:8080" : "http://\(host):8080"
        let error = #expect(throws: SyncError.self) { try ServerEndpoint(server: url, token: "t") }
        #expect(error?.message.hasPrefix("refusing plain http:// to ") == true)
        #expect(error?.message.contains("--insecure") == true)
        #expect(try ServerEndpoint(server: url, token: "t", insecure: true).insecure)
        #expect(try ServerEndpoint(server: url.replacingOccurrences(of: "http:", with: "https:"), token: "t").server.hasPrefix("https://"))
    }

    /// Breaker: `gsp login --token $'T\r\nX-Evil: 1'` logged in and sent the injected header on
    /// every request; a token is one HTTP header value, so anything but visible ASCII is refused.
    @Test(arguments: ["good\r\nX-Evil: 1", "a\u{01}b", "a b", "t\u{7F}", "tök", "a\tb"])
    func tokensWithControlCharactersOrSpacesAreRefused(token: String) throws {
        let error = #expect(throws: SyncError.self) { try ServerEndpoint(server: "https://gsp.example.com", token: token) }
        #expect(error?.message.contains("the token may hold only visible ASCII") == true)
        let dir = TemporaryDirectory()
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "alice")
        #expect(throws: ReplicaError.self) { try replica.login(server: "https://gsp.example.com", token: token) }
        #expect(try replica.syncState().token == nil)
    }

    /// Breaker: a query, a fragment, credentials, dot segments or a port past 65535 in --server
    /// were stored (the password shown back) or failed later with a curl message.
    @Test(arguments: ["https://h?x=1", "https://h#top", "https://user:pw@h", "https://h:99999", "https://h:0",
                      "https://h/../../etc", "https://h/a/./b", "https://h\u{01}x"])
    func serverURLsWithMoreThanHostPortAndPathAreRefused(url: String) throws {
        let error = #expect(throws: SyncError.self) { try ServerEndpoint(server: url, token: "t") }
        #expect(error?.message.contains("malformed server URL") == true)
    }

    @Test func serverURLsWithAPathPrefixStillWork() throws {
        #expect(try ServerEndpoint(server: "https://h:8443/gsp/", token: "t").server == "https://h:8443/gsp")
        // A pasted token's surrounding spaces and line break are not part of it.
        #expect(try ServerEndpoint(server: "https://h", token: " tok-EN_1\n").token == "tok-EN_1")
    }

    @Test func loginRefusesPlainHTTPToAnotherHostAndStoresTrustSettings() throws {
        let dir = TemporaryDirectory()
        let replica = try Replica.create(at: dir.path("r.sqlite"), user: "alice")
        let refused = #expect(throws: ReplicaError.self) { try replica.login(server: "http://gsp.example.com", token: "t") }
        #expect(refused?.message.contains("refusing plain http:// to gsp.example.com") == true)
        #expect(try replica.syncState().serverURL == nil)

        let ca = dir.path("ca.pem")
        let pem = "-----BEGIN CERTIFICATE-----\n" + Data([0x30] + Array(repeating: 1, count: 80)).base64EncodedString() + "\n-----END CERTIFICATE-----\n"
        try Data(pem.utf8).write(to: URL(fileURLWithPath: ca))
        try replica.login(server: "https://gsp.example.com/", token: "t", caFile: ca)
        // The certificates themselves are stored: the file may go.
        try FileManager.default.removeItem(atPath: ca)
        let endpoint = try replica.serverEndpoint()
        #expect(endpoint == (try ServerEndpoint(server: "https://gsp.example.com", token: "t", caCertificates: endpoint.caCertificates)))
        #expect(endpoint.caCertificates?.hasPrefix("-----BEGIN CERTIFICATE-----\nMAEB") == true && endpoint.caFile == nil)
        try replica.login(server: "http://gsp.example.com", token: "t", insecure: true)
        let state = try replica.syncState()
        #expect(state.caFile == nil)
        #expect(state.insecure)

        let notPEM = dir.path("ca.txt")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notPEM))
        let bad = #expect(throws: ReplicaError.self) { try replica.login(server: "https://h", token: "t", caFile: notPEM) }
        #expect(bad?.message.contains("holds no PEM certificate") == true)
        let missing = #expect(throws: ReplicaError.self) { try replica.login(server: "https://h", token: "t", caFile: dir.path("none.pem")) }
        #expect(missing?.message.contains("cannot read the CA file") == true)
    }

    @Test func loginMakesTheReplicaAndItsWALFilesPrivate() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        try replica.createDeal(title: "t", account: "a")
        // A copied or restored replica may have come back readable by everyone.
        let files = [path, path + "-wal", path + "-shm"]
        for file in files {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) should exist while the replica is open (WAL)")
            #expect(chmod(file, 0o644) == 0)
        }
        try replica.login(server: "https://gsp.example.com", token: "secret")
        for file in files {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
    }
}
