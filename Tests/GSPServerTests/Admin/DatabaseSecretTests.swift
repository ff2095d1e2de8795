import Foundation
import Testing
import GSPServer
import GSPTestSupport

/// Found by a breaker: the docs promise the database URL is printed with its password as `***`,
/// but `?password=`, `?user=..&password=..` and `?sslpassword=` went out whole, an upper-case
/// `POSTGRES://` was refused quoting the password, and libpq's own message quoted a password
/// it could not decode (`invalid percent-encoded token: "sec%ZZret"`).
@Suite("gsp-server never prints a database password", .enabled(if: PostgresTestDatabase.adminURL != nil))
struct DatabaseSecretTests {
    /// Every form, through every command that takes --db: the password text appears in
    /// neither stdout nor stderr, whether the connection works or fails.
    @Test func noCommandPrintsAPasswordGivenInAnyForm() throws {
        let database = try PostgresTestDatabase()
        let admin = try #require(PostgresTestDatabase.adminURL)
        let hostPart = String(admin.dropFirst("postgres://gsp@".count))   // 127.0.0.1:PORT/gsp_test
        let searchPath = "options=-csearch_path%3D\(database.schema)"
        #expect(try AdminRun.server(["migrate", "--db", database.url]).status == 0)
        // (URL, the secret, whether the connection works: the test cluster trusts every password)
        let forms: [(String, String, Bool)] = [
            ("postgres://u@127.0.0.1:1/db?password=querysecret2", "querysecret2", false),
            ("postgres://u@127.0.0.1:1/db?user=u&password=querysecret3", "querysecret3", false),
            ("postgres://u:sec%ZZret@127.0.0.1:1/db", "ZZret", false),
            ("mysql://gsp:othersecret@127.0.0.1/db", "othersecret", false),
            ("postgres://gsp@\(hostPart)?\(searchPath)&sslpassword=sslsecret4", "sslsecret4", true),
            ("postgres://gsp@\(hostPart)?\(searchPath)&password=querysecret5", "querysecret5", true),
            ("postgres://gsp:infosecret6@\(hostPart)?\(searchPath)", "infosecret6", true),
            ("POSTGRES://gsp:upsecret7@\(hostPart)?\(searchPath)", "upsecret7", true),
            ("PostgreSQL://gsp@\(hostPart)?\(searchPath)&PassWord=mixedsecret8", "mixedsecret8", false),   // libpq refuses the name, quoting it
        ]
        let directory = TemporaryDirectory("gsp-secrets")
        for (index, (url, secret, works)) in forms.enumerated() {
            let backup = directory.path("backup\(index)")
            let commands: [[String]] = [
                ["migrate"], ["user", "list"], ["user", "add", "u\(index)", "--role", "rep"], ["conflicts"],
                ["backup", backup], ["restore", works ? backup : directory.path("none")],
            ]
            for command in commands {
                let result = try AdminRun.server(command + ["--db", url])
                #expect((result.status == 0) == works, "\(command) \(url): exit \(result.status) \(result.stderr)")
                #expect(!(result.stdout + result.stderr).contains(secret), "\(command): \(result.stdout) \(result.stderr)")
            }
            let serve = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", url, "--listen", "127.0.0.1:0"])
            if works {
                for _ in 0..<800 where !serve.outputSoFar.contains("listening on") && serve.isRunning { usleep(10_000) }
                #expect(serve.outputSoFar.contains("listening on"), "\(url): \(serve.errorsSoFar)")
                serve.terminate()
            } else {
                for _ in 0..<1_000 where serve.isRunning { usleep(10_000) }
                #expect(!serve.isRunning, "serve started on \(url)")
                if serve.isRunning { serve.sigkill() }
            }
            let served = serve.wait(killingAfter: 45)
            #expect(served.status == 0 || !works, "\(url): serve did not stop on SIGTERM: exit \(served.status)")
            #expect(!(served.stdout + served.stderr).contains(secret), "serve: \(served.stdout) \(served.stderr)")
        }
    }

    /// The one redaction, on its own: a password in the user part, in any `*password*` query
    /// parameter, and in a libpq `key=value` string, as written and percent-decoded.
    @Test func theRedactionHidesEveryPasswordForm() {
        let url = "postgres://me:p%40ss@h/db?sslpassword=two&user=x&PASSWORD=three"
        #expect(StoreOpener.redact(url, secretsOf: url) == "postgres://me:***@h/db?sslpassword=***&user=x&PASSWORD=***")
        #expect(StoreOpener.redact("bad token \"p@ss\" or \"p%40ss\" near two", secretsOf: url) == "bad token \"***\" or \"***\" near ***")
        let keywords = "host=h password='k v' user=u sslpassword=w"
        #expect(StoreOpener.redact("failed: \(keywords)", secretsOf: keywords) == "failed: host=h password=*** user=u sslpassword=***")
    }
}
