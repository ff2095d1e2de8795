/// File paths as text, for the few places that need a path's folder.
///
/// Not NSString's `deletingLastPathComponent`: the Foundation shipped with Swift 6.3 on Linux
/// traps on a one-character relative name ("d", "r"), so `gsp-server migrate --db d` and
/// `GSP_REPLICA=r gsp init` crashed instead of answering.
public enum PathText {
    /// The folder part of `path`: "." for a bare name, "/" for a name in the root.
    public static func folder(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
