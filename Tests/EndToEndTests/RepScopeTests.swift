import Foundation
import Testing
import GSPTestSupport

/// A rep's replica refuses, before anything is pending, what the server would refuse at sync:
/// changes to deals someone else owns, whatever command makes them (finding: a rep's
/// 'gsp import generate' made ~11k changes the server then refused as out of scope).
@Suite struct RepScopeTests {
    func gsp(_ team: LiveTeam, _ user: String, _ arguments: String...) throws -> ProcessResult {
        try GSPBinary.run(arguments, replica: team.directory.path("\(user).sqlite"))
    }

    func loggedIn(_ team: LiveTeam, _ user: String) throws {
        #expect(try gsp(team, user, "init", "--user", user).status == 0)
        let login = try gsp(team, user, "login", "--server", team.server.url, "--token", team.tokens[user]!)
        #expect(login.status == 0, "\(login.stderr)")
    }

    func json(_ result: ProcessResult) -> Any? { try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) }

    @Test func aRepGeneratesOnlyTheirOwnDealsAndSyncsWithoutRefusals() throws {
        let team = try LiveTeam(users: [("meg", "manager"), ("ana", "rep"), ("bo", "rep")])
        try loggedIn(team, "ana")
        let generated = try gsp(team, "ana", "import", "generate", "--deals", "20")
        #expect(generated.status == 0, "\(generated.stderr)")
        let owners = (json(try gsp(team, "ana", "deal", "list", "--json")) as? [[String: Any]])?.compactMap { $0["owner"] as? String }
        #expect(owners?.count == 20 && Set(owners ?? []) == ["ana"], "\(owners ?? [])")
        let synced = try gsp(team, "ana", "sync")
        #expect(synced.status == 0 && !synced.stdout.contains("refused"), "\(synced.stdout)\(synced.stderr)")
        #expect(try gsp(team, "ana", "pending").stdout.hasPrefix("0 change(s) waiting"))

        // Naming others is refused whole, with what to do; nothing becomes pending.
        let others = try gsp(team, "ana", "import", "generate", "--deals", "5", "--seed", "7", "--reps", "ana,bo")
        #expect(others.status == 1)
        #expect(others.stderr.contains("deals owned by bo would be refused by the server"), "\(others.stderr)")
        #expect(others.stderr.contains("Drop --reps"))
        #expect(try gsp(team, "ana", "pending").stdout.hasPrefix("0 change(s) waiting"))
    }

    @Test func aRepCannotEditADealOnceItIsSomeoneElses() throws {
        let team = try LiveTeam(users: [("meg", "manager"), ("ana", "rep"), ("bo", "rep")])
        try loggedIn(team, "ana")
        let deal = try gsp(team, "ana", "deal", "new", "--account", "Acme", "--title", "Port", "--owner", "bo")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try gsp(team, "ana", "pending", "--json")
        for edit in [["deal", "set", deal, "title=Mine"], ["deal", "advance", deal, "poc"], ["deal", "lose", deal, "--reason", "x"],
                     ["deal", "delete", deal], ["activity", "add", deal, "--note", "visit"],
                     ["kpi", "add", deal, "--metric", "fps", "--unit", "fps", "--target", ">=30"]] {
            let refused = try GSPBinary.run(edit, replica: team.directory.path("ana.sqlite"))
            #expect(refused.status == 1, "\(edit)")
            #expect(refused.stderr.contains("deal \(deal.prefix(8)) is owned by bo, not you (ana)"), "\(edit): \(refused.stderr)")
            #expect(refused.stderr.contains("Ask bo or a manager"))
        }
        #expect(try gsp(team, "ana", "pending", "--json").stdout == before.stdout, "refused edits leave nothing pending")
        let synced = try gsp(team, "ana", "sync")
        #expect(synced.status == 0 && !synced.stdout.contains("refused"), "the hand-over itself is allowed: \(synced.stdout)")
    }

    @Test func aRepsCSVImportRefusesRowsOwnedByOthers() throws {
        let team = try LiveTeam(users: [("meg", "manager"), ("ana", "rep"), ("bo", "rep")])
        try loggedIn(team, "ana")
        let mapping = try team.directory.write(#"{"source": "acme", "id": "Id", "fields": {"title": "Name", "owner": "Owner"}}"#, to: "m.json")
        let csv = try team.directory.write("Id,Name,Owner\n1,Mine,ana\n2,Theirs,bo\n3,Nobody's,\n", to: "deals.csv")
        let refused = try gsp(team, "ana", "import", "csv", csv.path, "--mapping", mapping.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("deals.csv:3: a new deal owned by bo instead of you (ana)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was imported"))
        #expect(try gsp(team, "ana", "pending").stdout.hasPrefix("0 change(s) waiting"))

        let good = try gsp(team, "ana", "import", "csv", csv.path, "--mapping", mapping.path, "--skip-bad")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("skipped") && good.stderr.contains("deals.csv:3"), "\(good.stderr)")
        let synced = try gsp(team, "ana", "sync")
        #expect(synced.status == 0 && !synced.stdout.contains("refused"), "\(synced.stdout)")

        // A manager imports the same file whole.
        try loggedIn(team, "meg")
        #expect(try gsp(team, "meg", "import", "csv", csv.path, "--mapping", mapping.path).status == 0)

        // A replica that never logged in cannot tell its role: it imports, and says what it could not check.
        #expect(try gsp(team, "offline", "init", "--user", "ana").status == 0)
        let unchecked = try gsp(team, "offline", "import", "csv", csv.path, "--mapping", mapping.path)
        #expect(unchecked.status == 0)
        #expect(unchecked.stderr.contains("note: 1 deal(s) are owned by others; this replica has not logged in"), "\(unchecked.stderr)")
    }
}
