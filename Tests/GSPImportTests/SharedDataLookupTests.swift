import Foundation
import Testing
import GSPTestSupport

/// The real-data tests find the shared folder from a clone and from a worktree alike.
@Suite struct SharedDataLookupTests {
    func layout(_ dir: TemporaryDirectory, data: String) throws -> URL {
        let folder = dir.url.appendingPathComponent(data).appendingPathComponent("crm-opportunities")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("opportunity_id\n".utf8).write(to: folder.appendingPathComponent("sales_pipeline.csv"))
        return folder
    }

    @Test func foundBesideAWorktreeTwoLevelsUp() throws {
        let dir = TemporaryDirectory()
        let folder = try layout(dir, data: "shared/data")
        let package = dir.url.appendingPathComponent("wt/audit")
        // The Makefile's default (../shared/data) does not exist here: the walk up still finds it.
        let env = ["GSP_SHARED_DATA": package.deletingLastPathComponent().appendingPathComponent("shared/data").path]
        let found = SharedData.crmOpportunities(in: SharedData.candidates(environment: env, package: package))
        #expect(found?.standardizedFileURL.path == folder.standardizedFileURL.path)
    }

    @Test func theEnvironmentComesFirst() throws {
        let dir = TemporaryDirectory()
        let chosen = try layout(dir, data: "elsewhere")
        _ = try layout(dir, data: "shared/data")
        let candidates = SharedData.candidates(environment: ["GSP_SHARED_DATA": dir.url.appendingPathComponent("elsewhere").path],
                                               package: dir.url.appendingPathComponent("clone"))
        #expect(SharedData.crmOpportunities(in: candidates)?.path == chosen.path)
    }

    @Test func missingEverywhereIsNil() {
        let dir = TemporaryDirectory()
        let candidates = SharedData.candidates(environment: [:], package: dir.url.appendingPathComponent("a/b"))
        #expect(candidates.first?.path == dir.url.appendingPathComponent("a/shared/data").path)
        #expect(SharedData.crmOpportunities(in: Array(candidates.prefix(2))) == nil)
    }
}
