import Foundation

/// The public data sets in the team's shared folder, when they are there.
public enum SharedData {
    /// Where the shared data sets are looked for, in order: `$GSP_SHARED_DATA` (the Makefile
    /// sets it), then a `shared/data` folder beside the package or beside any folder above it
    /// (a clone's `../shared/data`, or a worktree's `../../shared/data`).
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  package: URL = PackageRoot.url) -> [URL] {
        var out: [URL] = []
        if let env = environment["GSP_SHARED_DATA"], !env.isEmpty { out.append(URL(fileURLWithPath: env)) }
        var folder = package.standardizedFileURL
        while folder.pathComponents.count > 1 {
            folder = folder.deletingLastPathComponent()
            out.append(folder.appendingPathComponent("shared/data"))
        }
        return out
    }

    /// The first candidate that holds the CRM opportunities data, else nil.
    public static func crmOpportunities(in candidates: [URL]) -> URL? {
        candidates.lazy.map { $0.appendingPathComponent("crm-opportunities") }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("sales_pipeline.csv").path) }
    }

    /// The CRM opportunities folder (`sales_pipeline.csv` and its neighbours), else nil.
    public static let crmOpportunities: URL? = crmOpportunities(in: candidates())

    /// Why a test that needs the CRM data is skipped: every place it was looked for.
    public static var missingNote: String {
        "the shared CRM data set was not found (set GSP_SHARED_DATA; looked in "
            + candidates().map(\.path).joined(separator: ", ") + ")"
    }
}

/// The package's root folder, found from this source file's location.
public enum PackageRoot {
    public static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
