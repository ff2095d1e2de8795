import Foundation
import Testing
import GSPTestSupport

/// The mobile-agnostic modules (everything an iOS or macOS app embeds with GSPClient) use no
/// Linux-only API outside `#if canImport(...)`.
@Suite struct PortabilityTests {
    static let modules = ["GSPCore", "GSPWire", "GSPStore", "GSPPipeline", "GSPClient"]
    static let linuxOnly = ["import Glibc", "import Musl", "import FoundationNetworking", "import Android",
                            "\"/proc/", "epoll_", "inotify_", "SOCK_CLOEXEC"]

    @Test func noLinuxOnlyAPIOutsideCanImport() throws {
        var findings: [String] = []
        var files = 0
        for module in Self.modules {
            let folder = GSPBinary.packageRoot.appendingPathComponent("Sources/\(module)")
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                files += 1
                var guarded = 0  // depth of open `#if canImport(...)` blocks
                for (n, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let text = line.trimmingCharacters(in: .whitespaces)
                    if text.hasPrefix("#if canImport(") { guarded += 1; continue }
                    if text.hasPrefix("#endif") && guarded > 0 { guarded -= 1; continue }
                    if guarded == 0, let hit = Self.linuxOnly.first(where: { text.contains($0) }) {
                        findings.append("\(module)/\(url.lastPathComponent):\(n + 1): \(hit)")
                    }
                }
            }
        }
        #expect(files > 40, "the source folders were not found")
        #expect(findings.isEmpty, "Linux-only API outside #if canImport: \(findings)")
    }
}

/// docs/architecture.md names every module the package has, and no module it lacks.
@Suite struct ArchitectureDocTests {
    @Test func everySourceModuleIsInTheArchitecturePage() throws {
        let root = GSPBinary.packageRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let modules = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path)
        #expect(modules.count > 8)
        for module in modules { #expect(doc.contains(module), "docs/architecture.md does not mention \(module)") }
        let named = Set(doc.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.hasPrefix("GSP") || ($0.hasPrefix("C") && $0.count > 3 && $0.dropFirst().first!.isUppercase) })
        let known = Set(modules + ["GSP", "GSPTestSupport", "GSPSync"])
        #expect(named.subtracting(known).isEmpty, "the page names modules that do not exist: \(named.subtracting(known))")
    }
}
