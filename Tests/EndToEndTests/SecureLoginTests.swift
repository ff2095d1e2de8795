import Foundation
import Testing
import GSPTestSupport

/// `gsp` over the network the way reps use it: HTTPS with a company CA, plain HTTP refused
/// unless --insecure, retries, and the last error in `gsp status`.
@Suite struct SecureLoginTests {
    func tool(_ arguments: [String]) throws -> String {
        let result = try GSPBinary.launch(GSPBinary.serverPath, arguments).wait()
        #expect(result.status == 0, "gsp-server \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func gsp(_ replica: String, _ arguments: String...) throws -> ProcessResult {
        try GSPBinary.run(arguments, replica: replica)
    }

    func json(_ result: ProcessResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func syncsOverHTTPSTrustingACompanyCA() throws {
        let dir = TemporaryDirectory("gsp-tls")
        let certificates = try TestCertificates.make(in: dir)
        let db = dir.path("server.db")
        let token = try tool(["user", "add", "alice", "--role", "rep", "--db", db])
        let (server, url) = try GSPBinary.serve(["--db", db, "--tls-cert", certificates.certificateFile, "--tls-key", certificates.keyFile])
        defer { server.sigkill(); _ = server.wait() }
        #expect(url.hasPrefix("https://127.0.0.1:"))

        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)
        // Without the company's CA the server's certificate is not trusted: login says what to do.
        let untrusted = try gsp(alice, "login", "--server", url, "--token", token)
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("the certificate of 127.0.0.1 is not trusted"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("--ca-file PEM"))

        let login = try gsp(alice, "login", "--server", url, "--token", token, "--ca-file", certificates.caFile)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(try gsp(alice, "deal", "new", "--account", "Acme", "--title", "Port").status == 0)
        let synced = try gsp(alice, "sync")
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.hasPrefix("synced with \(url): pushed 5"))
        // The pull hands alice's own changes back; the summary must not present them as news.
        #expect(synced.stdout.contains("pulled 5 (all already here)"), "\(synced.stdout)")
        #expect(json(try gsp(alice, "status", "--json"))["ca_file"] as? String == certificates.caFile)

        #expect(json(try gsp(alice, "status", "--json"))["ca_stored"] as? Bool == true)

        // The certificates live in the replica (finding: a moved CA file broke sync): move the file, sync goes on.
        try FileManager.default.moveItem(atPath: certificates.caFile, toPath: dir.path("moved.pem"))
        #expect(try gsp(alice, "deal", "new", "--account", "Acme", "--title", "Second").status == 0)
        let afterMove = try gsp(alice, "sync")
        #expect(afterMove.status == 0, "\(afterMove.stderr)")

        // Logging in with a CA that did not sign the server's certificate fails at once, clearly, and keeps the stored one.
        let other = try TestCertificates.makeCA(in: dir, name: "other")
        let wrong = try gsp(alice, "login", "--server", url, "--token", token, "--ca-file", other.certificate)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("the certificate of 127.0.0.1 is not trusted"), "\(wrong.stderr)")
        #expect(try gsp(alice, "sync").status == 0)
    }

    /// Login refuses a file that is not PEM certificates, saying what is wrong, and stores nothing.
    /// The command line is well-formed (the file exists; it holds the wrong thing): exit 1, not 64.
    @Test func loginRefusesAFileThatHoldsNoCertificate() throws {
        let dir = TemporaryDirectory("gsp-bad-ca")
        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)
        let cases = [("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n", "is not valid PEM"),
                     ("cut.pem", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n", "has no '-----END CERTIFICATE-----' line"),
                     ("key.pem", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n", "holds no PEM certificate")]
        for (name, text, message) in cases {
            let file = try dir.write(text, to: name)
            let refused = try gsp(alice, "login", "--server", "https://127.0.0.1:1", "--token", "t", "--ca-file", file.path)
            #expect(refused.status == 1, "\(name): \(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(name): \(refused.stderr)")
        }
        let missing = try gsp(alice, "login", "--server", "https://127.0.0.1:1", "--token", "t", "--ca-file", dir.path("none.pem"))
        #expect(missing.status == 1 && missing.stderr.contains("cannot read the CA file"), "\(missing.stderr)")
        #expect(json(try gsp(alice, "status", "--json"))["server"] is NSNull)
    }

    /// Found by a new user's tryout: another user's valid token exited 64, as if the command
    /// line were malformed. The server answered and named the token's owner: exit 1.
    @Test func anotherUsersTokenFailsWithStatus1() throws {
        let dir = TemporaryDirectory("gsp-other-token")
        let db = dir.path("server.db")
        let bobToken = try tool(["user", "add", "bob", "--role", "rep", "--db", db])
        let (server, url) = try GSPBinary.serve(["--db", db])
        defer { server.sigkill(); _ = server.wait() }
        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)
        let refused = try gsp(alice, "login", "--server", url, "--token", bobToken)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("this token is bob's, but this replica belongs to alice"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("--help"), "not a usage error: \(refused.stderr)")
        #expect(json(try gsp(alice, "status", "--json"))["server"] is NSNull)
    }

    /// A replica logged in by an older gsp stored only the CA file's path: it still syncs, and
    /// copies the certificates in, so the file may move afterwards.
    @Test func aReplicaThatStoredTheCAPathKeepsWorkingAndAdoptsTheCertificates() throws {
        let dir = TemporaryDirectory("gsp-old-ca")
        let certificates = try TestCertificates.make(in: dir)
        let db = dir.path("server.db")
        let token = try tool(["user", "add", "alice", "--role", "rep", "--db", db])
        let (server, url) = try GSPBinary.serve(["--db", db, "--tls-cert", certificates.certificateFile, "--tls-key", certificates.keyFile])
        defer { server.sigkill(); _ = server.wait() }
        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)
        #expect(try gsp(alice, "login", "--server", url, "--token", token, "--ca-file", certificates.caFile).status == 0)
        try OldReplicaFile.forgetStoredCACertificates(alice)
        #expect(json(try gsp(alice, "status", "--json"))["ca_stored"] as? Bool == false)
        #expect(try gsp(alice, "sync").status == 0)
        #expect(try OldReplicaFile.hasStoredCACertificates(alice))
        try FileManager.default.removeItem(atPath: certificates.caFile)
        let synced = try gsp(alice, "sync")
        #expect(synced.status == 0, "\(synced.stderr)")
    }

    @Test func plainHTTPToAnotherHostNeedsInsecure() throws {
        let dir = TemporaryDirectory("gsp-insecure")
        let db = dir.path("server.db")
        let token = try tool(["user", "add", "alice", "--role", "rep", "--db", db])
        let (server, url) = try GSPBinary.serve(["--db", db])
        defer { server.sigkill(); _ = server.wait() }
        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)

        let refused = try gsp(alice, "login", "--server", "http://gsp.example.com:8080", "--token", token)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("refusing plain http:// to gsp.example.com"))
        #expect(refused.stderr.contains("--insecure"))
        // 0.0.0.0 reaches this machine but is not a loopback name: it stands for a host on the office network.
        let lan = url.replacingOccurrences(of: "127.0.0.1", with: "0.0.0.0")
        #expect(try gsp(alice, "login", "--server", lan, "--token", token).status == 64)
        let insecure = try gsp(alice, "login", "--server", lan, "--token", token, "--insecure")
        #expect(insecure.status == 0, "\(insecure.stderr)")
        #expect(try gsp(alice, "deal", "new", "--account", "Acme", "--title", "Port").status == 0)
        #expect(try gsp(alice, "sync").status == 0)
        #expect(json(try gsp(alice, "status", "--json"))["insecure"] as? Bool == true)
    }

    @Test func anUnreachableServerIsRetriedThenShownByStatus() throws {
        let dir = TemporaryDirectory("gsp-offline")
        let alice = dir.path("alice.sqlite")
        #expect(try gsp(alice, "init", "--user", "alice").status == 0)
        // Nothing listens on port 1: login keeps the settings for later, as when offline.
        #expect(try gsp(alice, "login", "--server", "http://127.0.0.1:1", "--token", "t").status == 0)
        #expect(try gsp(alice, "sync", "--retries", "-1").status == 64)
        let failed = try gsp(alice, "sync", "--retries", "1")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("cannot reach 127.0.0.1"), "\(failed.stderr)")
        #expect(failed.stderr.contains("retrying in 1s (attempt 2 of 2)"))
        #expect(failed.stderr.contains("gave up after 2 attempts"))
        let status = try gsp(alice, "status")
        #expect(status.stdout.contains("last error"))
        #expect(status.stdout.contains("cannot reach 127.0.0.1"))
    }

    @Test func serveNeedsBothTLSFilesAndReadablePEM() throws {
        let dir = TemporaryDirectory("gsp-serve-tls")
        let db = dir.path("server.db")
        let half = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--tls-cert", "x.pem"]).wait()
        #expect(half.status == 64)
        #expect(half.stderr.contains("--tls-cert and --tls-key go together"))
        let notPEM = dir.path("cert.txt")
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: notPEM))
        let bad = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", db, "--listen", "127.0.0.1:0",
                                                               "--tls-cert", notPEM, "--tls-key", notPEM]).wait()
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(notPEM) holds no PEM certificate"), "\(bad.stderr)")
    }
}
