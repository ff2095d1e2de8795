import Foundation
import Testing
import GSPClient
import GSPCore
import GSPTestSupport

/// The Swift example in docs/client-library.md is this function, word for word: the test
/// checks the doc still contains it, and runs it.
@Suite struct DocSnippetTests {
    // snippet:begin
    func embedTheReplica(in folder: URL) throws -> [PendingChange] {
        // Create the replica once (e.g. on first launch), then open it on every start.
        let path = folder.appendingPathComponent("replica.sqlite").path
        let replica = FileManager.default.fileExists(atPath: path)
            ? try Replica.open(at: path)
            : try Replica.create(at: path, user: "alice")

        // Edit: every call is one transaction, stamped and queued for sync.
        let deal = try replica.createDeal(title: "Phone port", account: "Acme Devices",
                                          value: try Money.parse("45000 USD"))
        try replica.setDealFields(deal.lowercased, [(field: "next_step", text: "demo on site"),
                                                    (field: "expected_close", text: "2026-06-30")])
        try replica.advance(deal.lowercased, to: .proofOfConcept)

        // Read: deals, one deal with its child rows, history.
        for summary in try replica.listDeals(DealFilter(owner: "alice")) {
            print(summary.id.short, summary.title, summary.stage.rawValue)
        }
        let detail = try replica.dealDetail(deal.lowercased)
        print(detail.deal["next_step"], detail.stages.map(\.stage.rawValue))

        // What waits for the server, oldest first.
        return try replica.pendingChanges()
    }
    // snippet:end

    @Test func theSnippetRuns() throws {
        let dir = TemporaryDirectory("gsp-doc")
        let pending = try embedTheReplica(in: dir.url)
        #expect(pending.count == 9)
        #expect(pending.last?.change.field == "stage")
        // Opening again works too.
        #expect(try embedTheReplica(in: dir.url).count == 18)
    }

    @Test func theDocShowsTheSameCode() throws {
        let root = GSPBinary.packageRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/client-library.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let begin = "    // snippet:" + "begin\n", end = "    // snippet:" + "end\n"
        guard let from = source.range(of: begin), let to = source.range(of: end, range: from.upperBound..<source.endIndex) else {
            Issue.record("snippet markers not found")
            return
        }
        let snippet = source[from.upperBound..<to.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }.joined(separator: "\n")
        #expect(doc.contains("```swift\n" + snippet + "```"), "docs/client-library.md no longer shows the tested snippet: copy it from DocSnippetTests.swift")
    }
}
