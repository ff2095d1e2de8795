import Foundation
import Testing
import GSPTestSupport

/// What `gsp sync` and `gsp status` say about changes the server refused.
@Suite struct SyncReportTests {
    @Test func syncAndStatusShowWhatTheServerRefused() throws {
        let dir = TemporaryDirectory("gsp-refused")
        let db = dir.path("server.db")
        let added = try GSPBinary.launch(GSPBinary.serverPath, ["user", "add", "alice", "--role", "rep", "--db", db]).wait()
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, url) = try GSPBinary.serve(["--db", db])
        defer { server.sigkill(); _ = server.wait() }
        let alice = dir.path("alice.sqlite")
        func gsp(_ arguments: String...) throws -> ProcessResult {
            let result = try GSPBinary.run(arguments, replica: alice)
            #expect(result.status == 0, "gsp \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        _ = try gsp("init", "--user", "alice")
        let deal = try gsp("deal", "new", "--account", "Acme", "--title", "Port").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Before login the replica does not know alice is a rep: it records her override and
        // says the server will check; the server refuses it (managers only).
        let override = try gsp("deal", "advance", deal, "pis", "--override", "customer in a hurry")
        #expect(override.stderr.contains("the server checks at sync that you are a manager"), "\(override.stderr)")
        _ = try gsp("login", "--server", url, "--token", token)
        let synced = try gsp("sync").stdout
        #expect(synced.contains("1 refused (see 'gsp pending')"), "\(synced)")
        let refusedLine = synced.split(separator: "\n").first { $0.hasPrefix("refused   deals \(deal.prefix(8)) stage_override") }
        #expect(refusedLine?.contains("forbidden: gate overrides are for managers") == true, "\(synced)")

        let status = try gsp("status").stdout
        #expect(status.contains("pending   0 change(s), 1 refused (gsp pending)"))
        #expect(status.contains("refused   deals \(deal.prefix(8)) stage_override"))
        let json = try JSONSerialization.jsonObject(with: Data(try gsp("status", "--json").stdout.utf8)) as? [String: Any]
        let refused = json?["refused_changes"] as? [[String: Any]]
        #expect(refused?.count == 1)
        #expect(refused?.first?["code"] as? String == "forbidden")
        #expect(refused?.first?["field"] as? String == "stage_override")
        #expect(json?["last_error"] is NSNull)
    }

    /// Finding: after a restore a rep's sync sent again the gate overrides a manager's CRM import
    /// had made ("imported from CRM"), the server refused them (overrides are for managers), and
    /// every later 'gsp sync' and 'gsp status' listed them as the rep's refusals.
    @Test func aRestoreShowsTheRepNoRefusalsOfTheManagersOverrides() throws {
        let team = try LiveTeam(users: [("meg", "manager"), ("ana", "rep")])
        func gsp(_ user: String, _ arguments: String...) throws -> String {
            let result = try GSPBinary.run(arguments, replica: team.directory.path("\(user).sqlite"))
            #expect(result.status == 0, "\(user): gsp \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout
        }
        for user in ["meg", "ana"] {
            _ = try gsp(user, "init", "--user", user)
            _ = try gsp(user, "login", "--server", team.server.url, "--token", team.tokens[user]!)
        }
        // The manager imports ana's deals from a CRM, at stages whose gates the import overrides.
        let mapping = try team.directory.write(#"{"source": "crm", "id": "Id", "fields": {"title": "Name", "owner": "Owner"}, "stage": {"column": "Stage", "values": {"Analysis": "kpi", "Trial": "poc"}}}"#, to: "m.json")
        let csv = try team.directory.write("Id,Name,Owner,Stage\n1,Port,ana,Analysis\n2,Tune,ana,Trial\n3,Ship,ana,Analysis\n", to: "deals.csv")
        _ = try gsp("meg", "import", "csv", csv.path, "--mapping", mapping.path)
        _ = try gsp("meg", "sync")
        _ = try gsp("ana", "sync")
        let deals = (try JSONSerialization.jsonObject(with: Data(try gsp("ana", "deal", "list", "--json").utf8)) as? [[String: Any]])?
            .compactMap { $0["id"] as? String }.sorted() ?? []
        #expect(deals.count == 3)
        let backup = team.directory.path("backup.db")
        try team.server.admin(["backup", backup])

        // After the backup: ana works on a deal, the manager overrides another gate.
        _ = try gsp("ana", "deal", "set", deals[0], "next_step=demo on Friday")
        _ = try gsp("meg", "deal", "advance", deals[1], "pis", "--override", "customer in a hurry")
        _ = try gsp("meg", "sync")
        _ = try gsp("ana", "sync")
        #expect(team.server.stop() == 0)
        try team.server.admin(["restore", backup])
        try team.server.start()
        // The restarted test server listens on another free port.
        for user in ["meg", "ana"] { _ = try gsp(user, "login", "--server", team.server.url, "--token", team.tokens[user]!) }

        let synced = try gsp("ana", "sync")
        #expect(synced.contains("the server was restored") && !synced.contains("refused"), "\(synced)")
        #expect(synced.contains("1 value(s) written by others were not taken from you"), "\(synced)")
        let status = try gsp("ana", "status")
        #expect(!status.contains("refused"), "\(status)")
        #expect(try gsp("ana", "pending").hasPrefix("0 change(s) waiting"))
        #expect(!(try gsp("ana", "sync")).contains("refused"), "a later sync lists nothing either")

        // The manager's replica sends its override again; everyone ends with the same deals.
        _ = try gsp("meg", "sync")
        _ = try gsp("ana", "sync")
        for user in ["meg", "ana"] {
            let shown = try gsp(user, "deal", "show", deals[1], "--json")
            #expect(shown.contains("customer in a hurry"), "\(user): \(shown)")
            #expect(try gsp(user, "deal", "show", deals[0], "--json").contains("demo on Friday"), "\(user)")
        }
        #expect(!(try gsp("ana", "status")).contains("refused"))
    }
}
