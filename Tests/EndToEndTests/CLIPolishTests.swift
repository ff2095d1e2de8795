import Foundation
import Testing
import GSPTestSupport

/// What a new user trips over in `gsp`: tables broken by odd titles, silent commands, long
/// listings, names and folders the server or the system would refuse later.
@Suite struct CLIPolishTests {
    let dir = TemporaryDirectory("gsp-polish")
    var replica: String { dir.path("replica.sqlite") }

    func gsp(_ arguments: String..., environment: [String: String] = [:]) throws -> ProcessResult {
        try GSPBinary.run(arguments, replica: replica, environment: environment)
    }

    func trimmed(_ result: ProcessResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    @Test func aTitleWithANewlineStaysOnOneTableLine() throws {
        #expect(try gsp("init", "--user", "ana").status == 0)
        #expect(try gsp("deal", "new", "--account", "Acme", "--title", "two\nlines\tand tab").status == 0)
        let list = trimmed(try gsp("deal", "list")).split(separator: "\n")
        #expect(list.count == 2, "\(list)")
        #expect(list.last?.contains("two\\nlines\\tand tab") == true)
        let pending = trimmed(try gsp("pending")).split(separator: "\n")
        #expect(pending.filter { $0.contains("title") }.count == 1)
        #expect(pending.allSatisfy { !$0.hasPrefix("lines") })
    }

    /// Found by a new user: `deal list --owner "agent 01"` said only "no deals match".
    @Test func anOwnerMatchingOnlyInCaseIsNamed() throws {
        #expect(try gsp("init", "--user", "Agent 01").status == 0)
        #expect(try gsp("deal", "new", "--account", "Acme", "--title", "Port").status == 0)
        let wrongCase = try gsp("deal", "list", "--owner", "agent 01")
        #expect(wrongCase.status == 0 && wrongCase.stderr.contains("did you mean --owner \"Agent 01\"?"), "\(wrongCase.stderr)")
        #expect(try gsp("deal", "list", "--owner", "nobody").stderr.contains("no deals match\n"))
        #expect(trimmed(try gsp("deal", "list", "--owner", "Agent 01")).contains("Port"))
    }

    @Test func pendingListsAPageWithCountsByTable() throws {
        #expect(try gsp("init", "--user", "ana").status == 0)
        let deal = trimmed(try gsp("deal", "new", "--account", "Acme", "--title", "Port"))
        #expect(try gsp("activity", "add", deal, "--note", "visit").status == 0)
        let text = try gsp("pending", "--limit", "2").stdout
        #expect(text.contains("9 change(s) waiting for the server (4 activities, 5 deals)"), "\(text)")
        #expect(text.contains("... and 7 more; --all to list everything"))
        let json = try JSONSerialization.jsonObject(with: Data(try gsp("pending", "--json", "--limit", "3").stdout.utf8)) as? [String: Any]
        #expect((json?["pending"] as? [Any])?.count == 3)
        #expect(json?["total"] as? Int == 9)
        #expect((json?["by_table"] as? [String: Int]) == ["activities": 4, "deals": 5])
        #expect(!(try gsp("pending", "--all").stdout.contains("more;")))
        #expect(try gsp("pending", "--limit", "x").status == 64)
    }

    @Test func editsSayWhatChangedAndTargetsShowAsTyped() throws {
        #expect(try gsp("init", "--user", "ana").status == 0)
        let deal = trimmed(try gsp("deal", "new", "--account", "Acme", "--title", "Port"))
        #expect(try gsp("kpi", "add", deal, "--metric", "fps", "--unit", "fps", "--target", ">=30").status == 0)
        #expect(try gsp("deal", "show", deal).stdout.contains(">=30 "), "a target shows as typed")
        #expect(trimmed(try gsp("pis", "sign", deal, "--rate", "120 USD/h", "--engineer", "bob", "--date", "2026-02-10"))
            == "PIS contract of deal \(deal.prefix(8)) signed 2026-02-10: 120.00 USD/h, engineer bob")
        let signed = trimmed(try gsp("contract", "sign", deal, "--otc", "--fee", "9000 USD", "--device", "X1", "--date", "2026-04-01",
                                     "--override", "VP approval"))
        #expect(signed.contains("main contract of deal \(deal.prefix(8)) signed 2026-04-01"), "\(signed)")
        let early = try gsp("launch", deal, "--date", "2026-03-01", "--product", "X1 Pro")
        #expect(early.status == 1)
        #expect(early.stderr.contains("before the main contract was signed (2026-04-01)"))
        #expect(trimmed(try gsp("launch", deal, "--date", "2026-09-01", "--product", "X1 Pro")).contains("launched 2026-09-01"))
        let lose = try gsp("deal", "lose", deal, "--reason", "budget")
        #expect(lose.status == 1)
        #expect(lose.stderr.contains("--reopen"))
        let history = try gsp("history", deal, "--field", "nope")
        #expect(history.stderr.contains("unknown field 'nope'") && history.stderr.contains("stage"))
        #expect(trimmed(try gsp("deal", "delete", deal)).hasPrefix("deal \(deal.prefix(8)) deleted"))
    }

    @Test func initRefusesWhatTheServerOrTheFileSystemWould() throws {
        let bad = try gsp("init", "--user", "bad name!")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("invalid user name 'bad name!'"))
        let nowhere = dir.path("missing/deeper/r.sqlite")
        let missing = try GSPBinary.run(["init", "--user", "ana", "--replica", nowhere], replica: replica)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("missing")))
    }

    /// Foundation's URLSession made empty ~/.local/share/<build folder> and URL cache folders on
    /// Linux; gsp syncs over libcurl there and leaves the home folder alone.
    @Test func syncLeavesNoFoldersInHome() throws {
        let home = dir.path("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let environment = ["HOME": home, "XDG_DATA_HOME": "", "XDG_CACHE_HOME": ""]
        #expect(try gsp("init", "--user", "ana", environment: environment).status == 0)
        #expect(try gsp("login", "--server", "http://127.0.0.1:1", "--token", "t", environment: environment).status == 0)
        #expect(try gsp("sync", "--retries", "0", environment: environment).status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home).isEmpty)
    }
}
