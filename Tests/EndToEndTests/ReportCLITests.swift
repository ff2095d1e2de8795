import Foundation
import Testing
import GSPTestSupport

/// `gsp report` through the real binaries: from the server for a manager, `--local` over a
/// replica, JSON, CSV, `--as-of`, `--group-by`, and a rep sent to `--local`.
@Suite struct ReportCLITests {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func managersReportFromTheServerAndLocallyAlike() throws {
        let dir = TemporaryDirectory("gsp-report-e2e")
        let server = RealServer(directory: dir)
        let aliceToken = try server.addUser("alice", role: "rep"), megToken = try server.addUser("meg", role: "manager")
        try server.start()
        let alice = dir.path("alice.sqlite"), meg = dir.path("meg.sqlite")
        func gsp(_ replica: String, _ arguments: String...) throws -> ProcessResult {
            try GSPBinary.run(arguments, replica: replica)
        }
        func ok(_ replica: String, _ arguments: String...) throws -> String {
            let result = try GSPBinary.run(arguments, replica: replica)
            #expect(result.status == 0, "gsp \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout
        }
        _ = try ok(alice, "init", "--user", "alice")
        _ = try ok(alice, "login", "--server", server.url, "--token", aliceToken)
        _ = try ok(meg, "init", "--user", "meg")
        _ = try ok(meg, "login", "--server", server.url, "--token", megToken)
        let a = try ok(alice, "deal", "new", "--account", "Acme", "--title", "Phones", "--value", "45000 USD", "--region", "EMEA")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try ok(alice, "deal", "new", "--account", "Beta", "--title", "=cmd|' /C calc'!A0", "--value", "3000 EUR")
        _ = try ok(alice, "deal", "advance", a, "poc")
        _ = try ok(alice, "sync")
        _ = try ok(meg, "sync")

        let fromServer = json(try ok(meg, "report", "pipeline", "--json"))
        let fromReplica = json(try ok(meg, "report", "pipeline", "--json", "--local"))
        #expect(fromServer["title"] as? String == "Pipeline")
        // Synced, the pipeline (current state only) has the same figures; the replica's says where it was computed.
        #expect(NSArray(array: fromServer["sections"] as? [Any] ?? []).isEqual(to: fromReplica["sections"] as? [Any] ?? [1]),
                "the server and the replica answer alike")
        #expect((fromReplica["notes"] as? [String])?.contains { $0.hasPrefix("Computed on this replica") } == true)
        let rows = ((fromServer["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: Any]]) ?? []
        #expect(rows.first { $0["stage"] as? String == "poc" }?["count"] as? Int == 1)
        #expect(rows.first { $0["stage"] as? String == "bau" }?["count"] as? Int == 1)

        let csv = try ok(meg, "report", "pipeline", "--csv", "--group-by", "region")
        #expect(csv.hasPrefix("section,Region,Stage,Stage probability (%),Open deals,Open value (EUR),Open value (USD),"
                              + "Weighted open value (EUR),Weighted open value (USD)\r\n"))
        #expect(csv.contains("\r\nOpen pipeline,EMEA,poc,10.0,1,,45000.00,,4500.00\r\n"))
        #expect(csv.hasSuffix("\r\n") && !csv.hasSuffix("\n\n"), "one CRLF at the end, no stray newline")
        #expect(try ok(meg, "report", "forecast", "--csv", "--group-by", "region", "--local").hasSuffix("\r\n"))
        // A grouping a report would not apply is a usage error naming the reports that take it.
        let grouped = try gsp(meg, "report", "aging", "--group-by", "owner")
        #expect(grouped.status == 64 && grouped.stderr.contains("pipeline and forecast"), "\(grouped.stderr)")
        // A replica knows no conflicts and only part of the history: it says so.
        let conflictsHere = try gsp(meg, "report", "conflicts", "--local")
        #expect(conflictsHere.status == 64 && conflictsHere.stderr.contains("recorded by the server"), "\(conflictsHere.stderr)")
        #expect(try ok(meg, "report", "conversion", "--local").contains("only the history this replica holds"))
        // Formula-like text is neutralized for spreadsheets.
        #expect(try ok(meg, "report", "aging", "--csv", "--stalled-days", "1", "--as-of", "2999-01-01").contains("'=cmd"))

        let past = json(try ok(meg, "report", "pipeline", "--json", "--as-of", "2000-01-01"))
        #expect(past["as_of"] as? String != nil)
        let pastRows = ((past["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: Any]]) ?? []
        #expect(pastRows.allSatisfy { $0["count"] as? Int == 0 })
        for name in ["forecast", "conversion", "aging", "pis", "lost", "anomalies", "conflicts"] {
            #expect(!(try ok(meg, "report", name)).isEmpty, "\(name)")
        }

        // A rep is refused by the server, told to use --local, and can.
        let refused = try gsp(alice, "report", "pipeline")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--local"), "\(refused.stderr)")
        #expect(try ok(alice, "report", "pipeline", "--local").contains("poc"))
        // Usage errors exit 64 and change nothing.
        #expect(try gsp(meg, "report", "funnel").status == 64)
        #expect(try gsp(meg, "report", "pipeline", "--as-of", "2026-02-30").status == 64)
        #expect(try gsp(meg, "report", "pipeline", "--json", "--csv").status == 64)
    }

    /// Found by a new user's tryout: `gsp report pipeline --stalled-days 10` ran although
    /// `gsp report aging --group-by owner` was refused. Every option a report does not use is a
    /// usage error (exit 64) naming the reports that take it; one it uses runs.
    @Test func everyOptionAReportDoesNotUseIsAUsageError() throws {
        let dir = TemporaryDirectory("gsp-report-options")
        let replica = dir.path("meg.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "meg"], replica: replica).status == 0)
        let reports = ["pipeline", "forecast", "conversion", "aging", "pis", "lost", "anomalies", "conflicts"]
        let options: [(option: String, value: String, takenBy: [String])] = [
            ("--as-of", "2026-01-01", reports),
            ("--group-by", "owner", ["pipeline", "forecast"]),
            ("--stalled-days", "10", ["aging"]),
            ("--probabilities", "poc=15", ["pipeline", "forecast"]),
        ]
        for report in reports {
            for (option, value, takenBy) in options {
                let result = try GSPBinary.run(["report", report, option, value, "--local"], replica: replica)
                if takenBy.contains(report) {
                    // Conflicts exist only on the server: --local is refused for that reason, not the option.
                    if report == "conflicts" { #expect(!result.stderr.contains(option), "\(result.stderr)"); continue }
                    #expect(result.status == 0, "report \(report) \(option): \(result.stderr)")
                } else {
                    #expect(result.status == 64, "report \(report) \(option) exited \(result.status)")
                    #expect(result.stderr.contains(option), "report \(report) \(option): \(result.stderr)")
                    for taker in takenBy { #expect(result.stderr.contains(taker), "report \(report) \(option) does not name \(taker): \(result.stderr)") }
                }
            }
        }
    }
}
