import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `POST <server>/v1/sync` over URLSession with a bearer token.
public struct HTTPTransport: Transport {
    public static let contentType = "application/x-gsp-frame"
    public let endpoint: URL
    let token: String
    let timeout: TimeInterval

    /// `server` is the base URL given to `gsp login` (such as https://gsp.example.com).
    public init(server: String, token: String, timeout: TimeInterval = 60) throws(SyncError) {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: base + "/v1/sync"), url.scheme == "http" || url.scheme == "https" else {
            throw SyncError(.notLoggedIn, "malformed server URL '\(server)': run 'gsp login --server URL --token TOKEN'")
        }
        endpoint = url
        self.token = token
        self.timeout = timeout
    }

    public func exchange(_ frame: Data) async throws -> Data {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(Self.contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(Self.contentType, forHTTPHeaderField: "Accept")
        request.httpBody = frame
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw SyncError(.transport, "cannot reach \(endpoint.absoluteString): \(error.localizedDescription); your changes stay pending, try again when online")
        }
        guard let http = response as? HTTPURLResponse else { throw SyncError(.transport, "no HTTP answer from \(endpoint.absoluteString)") }
        if http.statusCode == 401 {
            throw SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'")
        }
        // Error answers in the protocol come back as frames too; anything else is an HTTP failure.
        let type = http.value(forHTTPHeaderField: "Content-Type") ?? ""
        if type.hasPrefix(Self.contentType) { return data }
        let body = String(decoding: data.prefix(300), as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(120)
        throw SyncError(.server, "the server answered HTTP \(http.statusCode)\(body.isEmpty ? "" : ": \(body)"); try again later, or tell your administrator")
    }
}
