import Foundation
import Testing
import GSPTestSupport

/// Runs the real `gsp` binary: one deal from bau to launch, exit codes, help everywhere.
@Suite struct CLITourTests {
    let dir = TemporaryDirectory("gsp-e2e")
    var replica: String { dir.path("replica.sqlite") }

    @discardableResult
    func gsp(_ arguments: String..., expect status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try GSPBinary.run(arguments, replica: replica)
        #expect(result.status == status, "gsp \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func oneDealFromBAUToLaunch() throws {
        try gsp("init", "--user", "alice")
        let deal = try gsp("deal", "new", "--account", "Acme Devices", "--title", "Phone port", "--value", "45000 USD", "--device", "X1")
        #expect(UUID(uuidString: deal) != nil)
        let short = String(deal.prefix(6))
        try gsp("activity", "add", short, "--note", "first visit", "--date", "2026-01-10")
        try gsp("deal", "advance", short, "poc")
        try gsp("deal", "advance", short, "kpi")
        let gate = try GSPBinary.run(["deal", "advance", short, "pis"], replica: replica)
        #expect(gate.status == 1)
        #expect(gate.stderr.contains("entering pis needs at least one agreed KPI"))
        let kpi = try gsp("kpi", "add", short, "--metric", "frame rate", "--unit", "fps", "--target", ">=30", "--agreed", "2026-02-01",
                          "--condition", "1080p video")
        try gsp("deal", "advance", short, "pis")
        try gsp("pis", "sign", short, "--rate", "120 USD/h", "--engineer", "bob", "--date", "2026-02-10")
        try gsp("time", "log", short, "--engineer", "bob", "--hours", "7.5", "--date", "2026-02-11")
        try gsp("time", "log", short, "--engineer", "bob", "--hours", "2", "--date", "2026-02-12", "--note", "tuning")
        try gsp("deal", "advance", short, "evaluation")
        try gsp("kpi", "measure", String(kpi.prefix(8)), "31.5")
        try gsp("contract", "sign", short, "--royalty", "--fee", "1.50 USD", "--per", "unit", "--volume", "100000", "--date", "2026-04-01")
        try gsp("launch", short, "--date", "2026-09-01", "--product", "X1 Pro", "--market", "JP")

        let shown = try json(try gsp("deal", "show", short, "--json")) as? [String: Any] ?? [:]
        #expect(shown["id"] as? String == deal)
        #expect(shown["stage"] as? String == "launch")
        #expect(shown["outcome"] as? String == "won")
        #expect(shown["evaluation"] as? String == "passed")
        #expect(shown["value"] as? [String: String] == ["amount": "45000.00", "currency": "USD"])
        #expect(shown["pis_fee"] as? [String: String] == ["amount": "1140.00", "currency": "USD"])
        #expect(shown["contract_value"] as? [String: String] == ["amount": "150000.00", "currency": "USD"])
        #expect(shown["total_minutes"] as? Int == 570)
        let stages = (shown["stages"] as? [[String: Any]] ?? []).compactMap { $0["stage"] as? String }
        #expect(stages == ["bau", "poc", "kpi", "pis", "evaluation", "main_contract", "launch"])
        #expect((shown["stages"] as? [[String: Any]])?.last?["by"] as? String == "alice")
        let kpis = shown["kpis"] as? [[String: Any]] ?? []
        #expect(kpis.first?["passed"] as? Bool == true)
        // Found by a new user: the condition was stored but shown nowhere.
        #expect(kpis.first?["condition"] as? String == "1080p video")
        #expect(try gsp("deal", "show", short).contains(">=30 at 1080p video"))
        // A KPI added past the evaluation would make a won deal's evaluation pending again.
        let late = try GSPBinary.run(["kpi", "add", short, "--metric", "boot", "--unit", "s", "--target", "<=2"], replica: replica)
        #expect(late.status == 1 && late.stderr.contains("past its evaluation"), "\(late.stderr)")
        #expect((shown["activities"] as? [[String: Any]])?.first?["note"] as? String == "first visit")

        let history = try json(try gsp("history", short, "--field", "stage", "--json")) as? [[String: Any]] ?? []
        #expect(history.compactMap { $0["value"] as? String } == stages)
        #expect(history.allSatisfy { $0["user"] as? String == "alice" && $0["origin"] as? String == "local" })
        let text = try gsp("history", short)
        #expect(text.contains("launch_product"))

        let list = try json(try gsp("deal", "list", "--stage", "launch", "--json")) as? [[String: Any]] ?? []
        #expect(list.map { $0["id"] as? String } == [deal])
        #expect((try json(try gsp("deal", "list", "--outcome", "lost", "--json")) as? [Any])?.isEmpty == true)
        let pending = try json(try gsp("pending", "--json")) as? [String: Any] ?? [:]
        #expect((pending["pending"] as? [Any])?.isEmpty == false)
        let status = try json(try gsp("status", "--json")) as? [String: Any] ?? [:]
        #expect(status["user"] as? String == "alice")
        #expect(status["deals"] as? Int == 1)
    }

    @Test func overrideReasonShowsInHistory() throws {
        try gsp("init", "--user", "carol")
        let deal = try gsp("deal", "new", "--account", "A", "--title", "T")
        try gsp("deal", "advance", deal, "evaluation", "--override", "PIS waived by VP")
        let history = try gsp("history", deal, "--field", "stage_override")
        #expect(history.contains("PIS waived by VP"))
    }

    @Test func usageErrorsExit64AndFailuresExit1() throws {
        try gsp("init", "--user", "dave")
        let deal = try gsp("deal", "new", "--account", "A", "--title", "T")
        for usage in [["frobnicate"], ["deal"], ["--db", "x.sqlite", "status"], ["deal", "new", "--title", "T"], ["deal", "show"], ["deal", "show", deal, "extra"],
                      ["deal", "list", "--colour", "red"], ["contract", "sign", deal, "--fee", "1 USD"],
                      ["contract", "sign", deal, "--royalty", "--otc", "--fee", "1 USD"], ["deal", "set", deal, "no-equals-sign"],
                      ["time", "log", deal, "--engineer"], ["deal", "advance", deal, "negotiation"], ["deal", "set", deal, "value=45k USD"],
                      ["time", "log", deal, "--engineer", "bob", "--hours", "-3"], ["deal", "set", deal, "colour=red"]] {
            let result = try GSPBinary.run(usage, replica: replica)
            #expect(result.status == 64, "gsp \(usage.joined(separator: " ")) exited \(result.status)")
            #expect(result.stderr.contains("--help"), "no pointer to help: \(result.stderr)")
            // One prefix for every error, so scripts and people can grep for it.
            #expect(result.stderr.hasPrefix("gsp: error: "), "unexpected stderr: \(result.stderr)")
            if usage.first == "--db" { #expect(result.stderr.contains("--replica PATH"), "\(result.stderr)") }
        }
        for failure in [["deal", "advance", deal, "pis"], ["deal", "show", "ffffffff"], ["init", "--user", "eve"]] {
            let result = try GSPBinary.run(failure, replica: replica)
            #expect(result.status == 1, "gsp \(failure.joined(separator: " ")) exited \(result.status)")
            #expect(result.stderr.hasPrefix("gsp: error: "), "unexpected stderr: \(result.stderr)")
        }
        let pending = try json(try gsp("pending", "--json")) as? [String: Any] ?? [:]
        #expect((pending["pending"] as? [Any])?.count == 5, "a failed command changed the replica")

        let junk = dir.path("junk.sqlite")
        try Data("not a database at all".utf8).write(to: URL(fileURLWithPath: junk))
        let notReplica = try GSPBinary.run(["deal", "list"], replica: junk)
        #expect(notReplica.status == 1)
        #expect(notReplica.stderr.contains("is not a GSP replica"))
        #expect(notReplica.stderr.contains("gsp init"))
    }

    @Test func helpWorksOnEveryCommand() throws {
        let top = try GSPBinary.run(["--help"], replica: replica)
        #expect(top.status == 0)
        let commands = ["init", "login", "sync", "status", "pending", "history", "launch",
                        "deal", "deal new", "deal set", "deal show", "deal list", "deal advance", "deal lose", "deal delete",
                        "kpi", "kpi add", "kpi measure", "pis", "pis sign", "time", "time log", "contract", "contract sign",
                        "activity", "activity add"]
        for command in commands {
            let words = command.split(separator: " ").map(String.init)
            for flag in ["--help", "-h"] {
                let result = try GSPBinary.run(words + [flag], replica: replica)
                #expect(result.status == 0, "gsp \(command) \(flag) exited \(result.status): \(result.stderr)")
                #expect(result.stdout.contains("gsp \(command)"), "help of \(command) does not name it")
                #expect(result.stdout.contains("Usage:"))
            }
            // A top-level command is listed in the top help.
            #expect(top.stdout.contains(words[0]))
        }
        #expect(!FileManager.default.fileExists(atPath: replica), "help must not create a replica")
    }
}
