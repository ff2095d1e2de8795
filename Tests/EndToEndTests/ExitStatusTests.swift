import Foundation
import Testing
import GSPTestSupport

/// One rule for `gsp`'s exit status: a malformed command line (unknown option or command, an
/// option value that does not parse, an unknown stage id) exits 64; a well-formed request that
/// fails (unknown deal, gate refused, closed deal) exits 1.
@Suite struct ExitStatusTests {
    let dir = TemporaryDirectory("gsp-exit")
    var replica: String { dir.path("replica.sqlite") }

    func gsp(_ arguments: [String]) throws -> ProcessResult { try GSPBinary.run(arguments, replica: replica) }

    @Test func eachKindOfMistakeHasOneStatus() throws {
        #expect(try gsp(["init", "--user", "dave"]).status == 0)
        let deal = try gsp(["deal", "new", "--account", "A", "--title", "T"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let table: [(arguments: [String], status: Int32)] = [
            (["deal", "list", "--stage", "foo"], 64),
            (["deal", "advance", deal, "nowhere"], 64),
            (["launch", deal, "--date", "tomorrow", "--product", "P"], 64),
            (["pis", "sign", deal, "--rate", "120", "--engineer", "bob"], 64),
            (["import", "csv", "x.csv", "--preset", "nope"], 64),
            (["report", "pipeline", "--group-by", "color"], 64),
            (["report", "pipeline", "--as-of", "yesterday"], 64),
            (["contract", "sign", deal, "--royalty", "--fee", "1 USD", "--per", "pizza", "--volume", "1"], 64),
            (["deal", "new", "--account", "A", "--title", "T", "--value", "100 XYZ"], 64),
            (["deal", "set", deal, "title="], 64),
            (["history", deal, "--field", "nope"], 64),
            (["deal", "show", "ffffffff"], 1),
            (["deal", "advance", deal, "pis"], 1),
            (["deal", "lose", "ffffffff", "--reason", "r"], 1),
        ]
        for (arguments, status) in table {
            let result = try gsp(arguments)
            #expect(result.status == status, "gsp \(arguments.joined(separator: " ")) exited \(result.status), not \(status): \(result.stderr)")
            if status == 64 { #expect(result.stderr.contains("--help"), "no pointer to help: \(result.stderr)") }
        }
    }

    @Test func bareGSPPrintsUsageToStderrAndVersionPrints() throws {
        let bare = try gsp([])
        #expect(bare.status == 64)
        #expect(bare.stdout.isEmpty)
        #expect(bare.stderr.contains("Usage: gsp <command>"))
        let version = try gsp(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("gsp 0."))
        let unknown = try gsp(["--frobnicate"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown option '--frobnicate' for 'gsp'"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("Run 'gsp --help'"), "\(unknown.stderr)")
    }
}
