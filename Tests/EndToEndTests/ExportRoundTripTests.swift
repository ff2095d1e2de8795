import Foundation
import Testing
import GSPTestSupport

/// 'gsp export csv' then 'gsp import csv' elsewhere keeps when things happened, not only the
/// values (finding: every imported field was stamped on the import day, so time in stage and
/// conversion differed after a round trip).
@Suite struct ExportRoundTripTests {
    let dir = TemporaryDirectory("gsp-roundtrip")
    let tables = ["deals", "kpis", "time_entries", "activities", "accounts"]

    func gsp(_ replica: String, _ arguments: [String]) throws -> ProcessResult {
        let result = try GSPBinary.run(arguments, replica: dir.path(replica))
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result
    }

    @Test func reportsMatchAfterAnExportAndAnImportElsewhere() throws {
        _ = try gsp("source.sqlite", ["init", "--user", "ana"])
        _ = try gsp("source.sqlite", ["import", "generate", "--deals", "60", "--reps", "ana,bo"])
        // Edits made here too, some cleared again, on top of the generated history.
        let deal = try gsp("source.sqlite", ["deal", "new", "--account", "Acme", "--title", "Port", "--region", "North"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try gsp("source.sqlite", ["deal", "advance", deal, "poc"])
        _ = try gsp("source.sqlite", ["deal", "set", deal, "region="])
        _ = try gsp("source.sqlite", ["activity", "add", deal, "--note", "visit, \"quoted\"\nand a second line"])
        for table in tables { _ = try gsp("source.sqlite", ["export", "csv", "--table", table, "--out", dir.path("\(table).csv")]) }

        _ = try gsp("copy.sqlite", ["init", "--user", "ana"])
        for table in tables { _ = try gsp("copy.sqlite", ["import", "csv", dir.path("\(table).csv")]) }

        for report in ["aging", "conversion", "lost", "pipeline", "forecast", "pis", "anomalies"] {
            // A live report names its moment to the minute (and counts days up to it): the copy's,
            // taken between two of the source's, must equal one of them, whichever side of a
            // minute's turn it fell on (a single pair failed when the minute turned in between).
            let source = try gsp("source.sqlite", ["report", report, "--local", "--json"]).stdout
            let copy = try gsp("copy.sqlite", ["report", report, "--local", "--json"]).stdout
            let sourceAfter = try gsp("source.sqlite", ["report", report, "--local", "--json"]).stdout
            #expect(copy == source || copy == sourceAfter, "report \(report) differs after the round trip")
        }
        let asOf = ["report", "pipeline", "--local", "--json", "--as-of", "2026-06-30"]
        #expect(try gsp("source.sqlite", asOf).stdout == gsp("copy.sqlite", asOf).stdout)
        // The stage history of one deal, entry by entry.
        let stages = { (replica: String) throws -> [String] in
            let show = try JSONSerialization.jsonObject(with: Data(try gsp(replica, ["deal", "show", deal, "--json"]).stdout.utf8)) as? [String: Any]
            return (show?["stages"] as? [[String: Any]] ?? []).map { "\($0["stage"] ?? "") \($0["entered_at"] ?? "")" }
        }
        #expect(try stages("source.sqlite") == stages("copy.sqlite"))
        #expect(try stages("copy.sqlite").count == 2)

        // Importing the export again changes nothing; a second export equals the first (values and timelines).
        #expect(try gsp("copy.sqlite", ["import", "csv", dir.path("deals.csv")]).stdout.contains("nothing changed"))
        _ = try gsp("copy.sqlite", ["export", "csv", "--out", dir.path("again.csv")])
        #expect(try String(contentsOfFile: dir.path("again.csv"), encoding: .utf8) == String(contentsOfFile: dir.path("deals.csv"), encoding: .utf8))
    }

    /// A gsp_history cell that is not what export writes is a bad row, said as such.
    @Test func aMangledHistoryCellIsABadRow() throws {
        _ = try gsp("source.sqlite", ["init", "--user", "ana"])
        _ = try gsp("source.sqlite", ["deal", "new", "--account", "Acme", "--title", "Port"])
        _ = try gsp("source.sqlite", ["export", "csv", "--out", dir.path("deals.csv")])
        let text = try String(contentsOfFile: dir.path("deals.csv"), encoding: .utf8)
        let mangled = text.replacingOccurrences(of: "[[", with: "{{")
        try dir.write(mangled, to: "mangled.csv")
        _ = try gsp("copy.sqlite", ["init", "--user", "ana"])
        let refused = try GSPBinary.run(["import", "csv", dir.path("mangled.csv")], replica: dir.path("copy.sqlite"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("mangled.csv:2: gsp_history is not the JSON array"), "\(refused.stderr)")
    }
}
