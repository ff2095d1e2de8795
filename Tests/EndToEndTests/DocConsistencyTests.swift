import Foundation
import Testing
import GSPTestSupport

/// Found by a new user's tryout: docs that said something else than the tools. The Limits table
/// gave 64 connections per client address where `serve --help` says 256, a sample error lacked
/// the `error:` word every gsp error starts with, and a route pointed at a stub page.
@Suite struct DocConsistencyTests {
    static let pages = ["README.md", "server/README.md"] + ((try? FileManager.default.contentsOfDirectory(
        atPath: GSPBinary.packageRoot.appendingPathComponent("docs").path)) ?? []).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }

    static func text(_ page: String) throws -> String {
        try String(contentsOf: GSPBinary.packageRoot.appendingPathComponent(page), encoding: .utf8)
    }

    /// A sample of what gsp or gsp-server prints on stderr starts as they do: `gsp: error: `,
    /// `gsp-server COMMAND: error: `, or one of the server's log lines (`http:`, stopping, stopped).
    @Test func everyErrorSampleHasTheErrorWord() throws {
        #expect(Self.pages.contains("docs/user-guide.md"))
        let sample = /(?:^\s*|`)(gsp(?:-server)?(?: [a-z]+){0,2}): ([^\s`]+)/.anchorsMatchLineEndings()
        for page in Self.pages {
            for match in try Self.text(page).matches(of: sample) {
                let next = String(match.output.2)
                let allowed = next == "error:" || (match.output.1 == "gsp-server" && ["http:", "stopping", "stopped"].contains(next))
                #expect(allowed, "\(page): '\(match.output.0)' is not how gsp writes an error ('gsp: error: ...')")
            }
        }
    }

    /// The serve options' defaults in `serve --help` (`[--NAME N]`) are the numbers the docs give
    /// wherever they name the option in parentheses (the Limits table) or as `--NAME N` (default N).
    @Test func serveDefaultsInTheDocsMatchTheHelp() throws {
        let help = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--help"]).wait().stdout
        let defaults = help.matches(of: /\[--([a-z-]+) (\d+)\]/).map { (String($0.output.1), String($0.output.2)) }
        #expect(defaults.contains { $0.0 == "max-connections-per-ip" }, "\(help)")
        let operations = try Self.text("docs/operations.md")
        for (option, value) in defaults {
            for line in operations.split(separator: "\n") where line.contains("(`--\(option)`)") {
                let clause = line.split(separator: ";").first { $0.contains("(`--\(option)`)") } ?? line
                #expect(clause.contains(value), "docs/operations.md gives --\(option) another number than serve --help (\(value)): \(clause)")
            }
            if operations.contains("`--\(option) N` (default") {
                #expect(operations.contains("`--\(option) N` (default \(value)"), "docs/operations.md: --\(option) defaults to \(value)")
            }
        }
    }

    /// Every relative link in the docs reaches a file, and the reports route points at the page
    /// that describes the reports (docs/reports.md was a stub pointing there).
    @Test func linksReachPagesWorthReading() throws {
        let link = /\]\(([^)#:]+\.md)(?:#[^)]*)?\)/
        for page in Self.pages {
            let folder = (page as NSString).deletingLastPathComponent
            for match in try Self.text(page).matches(of: link) {
                let target = (folder as NSString).appendingPathComponent(String(match.output.1))
                let path = GSPBinary.packageRoot.appendingPathComponent(target).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: path), "\(page) links to \(match.output.1), which does not exist")
            }
        }
        // Pages named as text (`docs/operations.md`), in the docs and in the tools' help, exist too.
        for page in Self.pages {
            for match in try Self.text(page).matches(of: /`?((?:docs|protocol)\/[A-Za-z0-9_-]+\.md)/) {
                #expect(FileManager.default.fileExists(atPath: GSPBinary.packageRoot.appendingPathComponent(String(match.output.1)).path),
                        "\(page) names \(match.output.1), which does not exist")
            }
        }
        let route = try #require(try Self.text("docs/operations.md").split(separator: "\n").first { $0.contains("`GET /v1/reports/NAME`") })
        #expect(route.contains("manager-guide.md"), "\(route)")
    }
}
