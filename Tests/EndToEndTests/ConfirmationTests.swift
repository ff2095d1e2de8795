import Foundation
import Testing
import GSPTestSupport

/// Every command that changes something says what it did, the same way: one line on stdout, or
/// with --json one object with "action" and "message" (finding: 'gsp deal set' printed nothing).
@Suite struct ConfirmationTests {
    let dir = TemporaryDirectory("gsp-confirm")
    var replica: String { dir.path("replica.sqlite") }

    func gsp(_ arguments: [String]) throws -> ProcessResult { try GSPBinary.run(arguments, replica: replica) }

    /// Runs `arguments` and returns its one stdout line, failing the test on anything else.
    func oneLine(_ arguments: [String]) throws -> String {
        let result = try gsp(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && result.stdout.hasSuffix("\n"), "\(arguments) printed \(lines.count) lines: \(result.stdout)")
        return String(lines.first ?? "")
    }

    /// Runs `arguments` with --json and returns the object, checking its "action" and "message".
    func object(_ arguments: [String], action: String) throws -> [String: Any] {
        let result = try gsp(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(object["action"] as? String == action, "\(arguments): \(result.stdout)")
        #expect((object["message"] as? String)?.isEmpty == false, "\(arguments): \(result.stdout)")
        return object
    }

    @Test func everyMutatingCommandConfirmsInOneLineOrOneObject() throws {
        #expect(try oneLine(["init", "--user", "ana"]).hasPrefix("created replica"))
        let deal = try oneLine(["deal", "new", "--account", "Acme", "--title", "Port"])
        #expect(UUID(uuidString: deal) != nil, "deal new prints the new id alone, for scripts")
        let short = String(deal.prefix(8))
        #expect(try oneLine(["deal", "set", deal, "title=Port 2", "value=45000 USD", "region="])
                == "deal \(short): title = Port 2, value = 45000.00 USD, region cleared")
        let set = try object(["deal", "set", short, "region=North"], action: "deal.set")
        #expect(set["deal"] as? String == deal && (set["fields"] as? [String: Any])?["region"] as? String == "North")
        let kpi = try oneLine(["kpi", "add", short, "--metric", "fps", "--unit", "fps", "--target", ">=30"])
        #expect(UUID(uuidString: kpi) != nil)
        #expect(try object(["kpi", "add", short, "--metric", "boot", "--unit", "s", "--target", "<=2"], action: "kpi.add")["deal"] as? String == deal)
        #expect(try oneLine(["deal", "advance", short, "poc"]).contains("is now in poc"))
        #expect(try object(["deal", "advance", short, "kpi"], action: "deal.advance")["stage"] as? String == "kpi")
        #expect(try oneLine(["kpi", "measure", kpi, "31"]).contains("pass"))
        #expect(try object(["pis", "sign", short, "--rate", "100 USD/h", "--engineer", "bo"], action: "pis.sign")["deal"] as? String == deal)
        #expect(UUID(uuidString: try oneLine(["time", "log", short, "--engineer", "bo", "--hours", "2"])) != nil)
        #expect(try object(["time", "log", short, "--engineer", "bo", "--hours", "1"], action: "time.log")["deal"] as? String == deal)
        #expect(UUID(uuidString: try oneLine(["activity", "add", short, "--note", "visit"])) != nil)
        #expect(try object(["activity", "add", short, "--note", "call", "--kind", "call"], action: "activity.add")["deal"] as? String == deal)
        _ = try object(["contract", "sign", short, "--otc", "--fee", "9000 USD", "--device", "X1", "--override", "VP"], action: "contract.sign")
        _ = try object(["launch", short, "--date", "2099-01-01", "--product", "X1 Pro"], action: "launch")
        let other = try oneLine(["deal", "new", "--account", "Beta", "--title", "Pilot"])
        _ = try object(["deal", "lose", other, "--reason", "budget"], action: "deal.lose")
        _ = try object(["deal", "delete", other], action: "deal.delete")
        #expect(try oneLine(["export", "csv", "--out", dir.path("deals.csv")]) == "exported 2 row(s) of table deals to \(dir.path("deals.csv"))")
        _ = try object(["export", "csv", "--out", dir.path("deals2.csv")], action: "export.csv")
        #expect(try gsp(["export", "csv", "--json"]).status == 64, "--json describes a file: it needs --out")
        _ = try object(["import", "csv", dir.path("deals.csv")], action: "import.csv")
        _ = try object(["import", "generate", "--deals", "2", "--reps", "ana"], action: "import.generate")
        let login = ["login", "--server", "http://127.0.0.1:1", "--token", "t"]
        #expect(try oneLine(login).hasPrefix("saved server http://127.0.0.1:1"))
        #expect(try object(login, action: "login")["checked"] as? Bool == false)
    }
}
