import Foundation
import GSPWire

/// `POST <server>/v1/sync` with a bearer token, over this platform's `HTTPClient`.
public struct HTTPTransport: Transport {
    public static let contentType = "application/x-gsp-frame"
    public let endpoint: URL
    let server: ServerEndpoint
    let client: any HTTPClient
    let timeout: Duration

    /// A transport to `server`, trusting its CA certificates when it has some.
    public init(_ server: ServerEndpoint, timeout: Duration = .seconds(60)) throws(SyncError) {
        try self.init(server, client: try makeHTTPClient(caFile: server.caFile, caCertificates: server.caCertificates), timeout: timeout)
    }

    public init(_ server: ServerEndpoint, client: any HTTPClient, timeout: Duration = .seconds(60)) throws(SyncError) {
        endpoint = try server.url("/v1/sync")
        self.server = server
        self.client = client
        self.timeout = timeout
    }

    /// `server` is the base URL given to `gsp login` (such as https://gsp.example.com).
    public init(server: String, token: String, timeout: Duration = .seconds(60)) throws(SyncError) {
        try self.init(try ServerEndpoint(server: server, token: token), timeout: timeout)
    }

    /// Sends one frame. Throws `SyncError`: `.tooLarge` for 413, `.unavailable` for 502-504 and
    /// a 500 that is not an error frame (with the server's Retry-After), `.tokenRejected` for 401, `.transport` and `.tls` from the client.
    public func exchange(_ frame: Data) async throws -> Data {
        let response = try await client.send(HTTPClientRequest(
            method: "POST", url: endpoint, headers: ["Authorization": "Bearer \(server.token)", "Content-Type": Self.contentType,
                                                     "Accept": Self.contentType],
            body: frame, timeout: timeout))
        switch response.status {
        case 401:
            throw SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'")
        case 413:
            throw SyncError(.tooLarge, "the server refused the request as too large (HTTP 413)")
        case 502, 503, 504:
            // gsp-server says why in an error frame (its disk is full, its database restarting); a proxy in plain text.
            var body = response.bodySnippet
            if response.contentType.hasPrefix(Self.contentType), case .error(let error)? = try? Frame.decode(response.body) {
                body = error.message
            }
            throw SyncError(.unavailable, "the server is unavailable (HTTP \(response.status)\(body.isEmpty ? "" : ": \(body)"))",
                            retryAfter: response.retryAfter)
        default:
            break
        }
        // Error answers in the protocol come back as frames too; anything else is an HTTP failure.
        if response.contentType.hasPrefix(Self.contentType) { return response.body }
        let body = response.bodySnippet
        if response.status == 500 {
            throw SyncError(.unavailable, "the server failed (HTTP 500\(body.isEmpty ? "" : ": \(body)"))", retryAfter: response.retryAfter)
        }
        throw SyncError(.server, "the server answered HTTP \(response.status)\(body.isEmpty ? "" : ": \(body)"); try again later, or tell your administrator")
    }
}
