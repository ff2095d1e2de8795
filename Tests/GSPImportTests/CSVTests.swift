import Foundation
import Testing
@testable import GSPImport

@Suite struct CSVTests {
    func parse(_ text: String) throws -> [CSVRecord] { try CSV.parse(Data(text.utf8), file: "t.csv") }

    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let records = try parse("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,end\n")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", "end"]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test func byteOrderMarkAndCRLFAreHandled() throws {
        let records = try CSV.parse(Data([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,Zoë\r\n2,\"a\r\nb\"\r\n".utf8)), file: "t.csv")
        #expect(records.map(\.fields) == [["id", "name"], ["1", "Zoë"], ["2", "a\r\nb"]])
    }

    @Test func blankLinesAreSkippedAndTheLastLineNeedsNoNewline() throws {
        #expect(try parse("a\n\nb").map(\.fields) == [["a"], ["b"]])
    }

    @Test func anUnclosedQuoteNamesTheLineItStarted() {
        #expect(throws: ImportError(file: "t.csv", line: 2, reason: "a quoted field is never closed")) {
            try parse("a,b\n\"open,b\nmore\n")
        }
    }

    @Test func aStrayQuoteIsRefusedWithItsLine() {
        #expect(throws: ImportError.self) { try parse("a,b\nx\"y,z\n") }
        #expect(throws: ImportError.self) { try parse("a,b\n\"x\"y,z\n") }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: ImportError.self) { try CSV.parse(Data([0x61, 0x0A, 0xFF, 0xFE]), file: "t.csv") }
    }

    @Test func rowsWithMissingColumnsAreReportedWithTheirLine() throws {
        let table = try CSVTable(data: Data("a,b,c\n1,2,3\n4,5\n".utf8), file: "t.csv")
        #expect(try table.value("c", in: table.records[0]) == "3")
        #expect(throws: ImportError(file: "t.csv", line: 3, reason: "expected 3 columns, found 2")) {
            try table.value("a", in: table.records[1])
        }
    }

    @Test func escapeRoundTripsThroughParse() throws {
        let fields = ["plain", "with, comma", "quote \"q\"", "new\nline", " padded ", "", "=cmd()"]
        #expect(try parse(CSV.line(fields) + "\n").first?.fields == fields)
    }

    @Test func nameUUIDsAreStableVersion5() {
        // RFC 9562 Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(NameUUID.make(namespace: dns, name: "www.example.com").uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(NameUUID.make(name: "x") == NameUUID.make(name: "x"))
        #expect(NameUUID.make(name: "x") != NameUUID.make(name: "y"))
    }
}
