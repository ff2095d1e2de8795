import Foundation

/// The public data sets in the team's shared folder, when they are there.
public enum SharedData {
    /// `$GSP_SHARED_DATA` (the Makefile sets it), else `../shared/data` beside the package.
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["GSP_SHARED_DATA"] { return URL(fileURLWithPath: env) }
        return PackageRoot.url.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    public static var crmOpportunities: URL? {
        let url = root.appendingPathComponent("crm-opportunities")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("sales_pipeline.csv").path) ? url : nil
    }
}

/// The package's root folder, found from this source file's location.
public enum PackageRoot {
    public static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
