import Foundation

/// Where a replica syncs and how it trusts the server: the settings `gsp login` stores.
public struct ServerEndpoint: Equatable, Sendable {
    /// The base URL, without a trailing slash (such as https://gsp.example.com).
    public let server: String
    public let token: String
    /// A PEM file of certificate authorities to trust instead of the system's (a company CA):
    /// read at each request; replicas from before `caCertificates` only.
    public let caFile: String?
    /// Certificate authorities (PEM text) to trust instead of the system's: what `gsp login
    /// --ca-file` stores in the replica, so the file may move afterwards. Wins over `caFile`.
    public let caCertificates: String?
    /// Plain http:// to a host other than this machine was allowed at login.
    public let insecure: Bool

    /// Checks the URL (http or https, with a host) and refuses plain http:// to another machine
    /// unless `insecure`.
    public init(server: String, token: String, caFile: String? = nil, caCertificates: String? = nil, insecure: Bool = false) throws(SyncError) {
        let trimmed = server.trimmingCharacters(in: .whitespaces)
        // A pasted token often brings a space or a line break at either end: those are not part of it.
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let base = trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw SyncError(.notLoggedIn, "malformed server URL '\(server)': write it as https://host[:port], then run 'gsp login --server URL --token TOKEN'")
        }
        if let extra = Self.extraURLPart(url) {
            throw SyncError(.notLoggedIn, "malformed server URL '\(server)': it has \(extra); write it as https://host[:port][/path], then run 'gsp login --server URL --token TOKEN'")
        }
        if !Self.isHeaderSafe(token) {
            throw SyncError(.notLoggedIn, "the token may hold only visible ASCII (no spaces, tabs, line breaks or other control characters): paste it exactly as 'gsp-server user add' printed it, then run 'gsp login --server URL --token TOKEN'")
        }
        if let refusal = Self.plainHTTPRefusal(url, insecure: insecure) { throw SyncError(.notLoggedIn, refusal) }
        self.server = base
        self.token = token
        self.caFile = caFile
        self.caCertificates = caCertificates
        self.insecure = insecure
    }

    /// The URL of `path` on this server, with `query` sorted by name.
    func url(_ path: String, query: [String: String] = [:]) throws(SyncError) -> URL {
        guard var components = URLComponents(string: server) else {
            throw SyncError(.notLoggedIn, "'\(server)' is not a server URL: run 'gsp login --server URL --token TOKEN'")
        }
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + path
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = components.url else { throw SyncError(.notLoggedIn, "cannot build a URL from '\(server)'") }
        return url
    }

    /// What a server URL holds beyond scheme, host, port and path, or nil when nothing: every
    /// request is built by appending to the URL, so a query or a fragment would be mangled,
    /// credentials would sit in the replica beside the token, and dot segments would make the
    /// path mean something else than it says.
    static func extraURLPart(_ url: URL) -> String? {
        if url.query != nil { return "a query ('?...')" }
        if url.fragment != nil { return "a fragment ('#...')" }
        if url.user != nil || url.password != nil { return "credentials ('user:password@'): the token is the only credential" }
        if let port = url.port, !(1...65535).contains(port) { return "port \(port), outside 1-65535" }
        if url.path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            return "a '.' or '..' path segment"
        }
        return nil
    }

    /// True when `token` can travel as an HTTP header value as it is: visible ASCII only.
    /// Anything else (a line break above all) would split or corrupt the Authorization header.
    static func isHeaderSafe(_ token: String) -> Bool {
        token.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// Why plain http:// to `url` is refused, or nil when it is allowed: https, a loopback
    /// host (127.0.0.0/8, ::1, localhost), or `insecure`.
    public static func plainHTTPRefusal(_ url: URL, insecure: Bool) -> String? {
        guard url.scheme?.lowercased() == "http", !insecure, let host = url.host, !isLoopback(host) else { return nil }
        return "refusing plain http:// to \(host): your token and your deals would cross the network unencrypted. "
            + "Use the server's https:// address (see docs/operations.md), or, only on a network you trust, "
            + "log in again with --insecure"
    }

    /// True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        if name.contains(":") {
            // IPv6: only the loopback address, however it is written.
            var address = in6_addr()
            return inet_pton(AF_INET6, name, &address) == 1 && withUnsafeBytes(of: &address) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 }
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil } && parts[0] == "127"
    }
}
