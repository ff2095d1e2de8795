/// The release of GSP Sync this build is, shown by `gsp --version` and `gsp-server --version`.
public enum Release {
    public static let version = "0.1.0"
    /// "0.1.0 (schema 1)": the release and the replicated schema version it speaks.
    public static var description: String { "\(version) (schema \(Schema.version))" }
}
