import Foundation
import Testing
import GSPCore
import GSPClient
@testable import GSPImport
import GSPTestSupport

/// Semicolon- and tab-separated exports (European spreadsheets and CRMs).
@Suite struct CSVDelimiterTests {
    static let mapping = """
    { "source": "euro-crm", "id": "Id",
      "fields": { "title": "Name", "owner": "Owner", "expected_close": "Close Date" },
      "date_format": "DD.MM.YYYY", "created": "Created", "closed": "Close Date" }
    """

    @Test func theDelimiterIsDetectedFromTheHeaderLine() {
        #expect(CSV.detectDelimiter(Data("a;b;\"c,d\"\n1,2;3\n".utf8)) == UInt8(ascii: ";"))
        #expect(CSV.detectDelimiter(Data("a\tb\tc\n".utf8)) == UInt8(ascii: "\t"))
        #expect(CSV.detectDelimiter(Data("a,b;c,d\n".utf8)) == UInt8(ascii: ","))
        #expect(CSV.detectDelimiter(Data("single\n".utf8)) == UInt8(ascii: ","))
    }

    @Test func aSemicolonExportImportsWithQuotedSemicolons() throws {
        let dir = TemporaryDirectory()
        let mapping = try dir.write(Self.mapping, to: "m.json")
        let csv = try dir.write("Id;Name;Owner;Created;Close Date\r\nE1;\"Flotte; Phase 2\";ana;07.03.2026;01.05.2026\r\n", to: "export.csv")
        let plan = try Importer.plan(file: csv, mapping: mapping, preset: nil)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.records.first?.finalValues["title"] == .text("Flotte; Phase 2"))
        #expect(plan.records.first?.finalValues["expected_close"] == .date(Day(year: 2026, month: 5, day: 1)))
    }

    @Test func theMappingOrTheCallerCanNameTheDelimiter() throws {
        let dir = TemporaryDirectory()
        // The header alone looks comma-separated (a comma in a column name).
        let csv = try dir.write("Id;Name, full;Owner;Created;Close Date\nE1;Pilot;ana;07.03.2026;\n", to: "export.csv")
        let json = Self.mapping.replacingOccurrences(of: "\"Name\"", with: "\"Name, full\"")
        let named = try dir.write(json.replacingOccurrences(of: "\"source\"", with: "\"delimiter\": \"semicolon\", \"source\""), to: "named.json")
        #expect(try Importer.plan(file: csv, mapping: named, preset: nil).records.count == 1)
        let plain = try dir.write(json, to: "plain.json")
        #expect(try Importer.plan(file: csv, mapping: plain, preset: nil, delimiter: CSV.delimiter(named: ";")).records.count == 1)
        #expect(CSV.delimiter(named: "tab") == UInt8(ascii: "\t") && CSV.delimiter(named: "pipe") == nil)
    }

    @Test func missingColumnsAreListedOnceWithADelimiterHint() throws {
        let dir = TemporaryDirectory()
        let mapping = try dir.write(Self.mapping, to: "m.json")
        let csv = try dir.write("Id;Name;Owner;Created;Close Date\nE1;Pilot;ana;07.03.2026;\n", to: "export.csv")
        let error = try #require(throws: ImportError.self) {
            try Importer.plan(file: csv, mapping: mapping, preset: nil, delimiter: CSV.delimiter(named: ","))
        }
        #expect(error.line == 1)
        #expect(error.reason.components(separatedBy: "'Close Date'").count == 2, "listed once: \(error.reason)")
        #expect(error.reason.contains("--delimiter semicolon"))
    }
}
