import Foundation

/// One HTTP request from the client library to the server.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    public var timeout: Duration

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration = .seconds(60)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The server's answer: any status (the caller decides what a status means).
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// The Content-Type header, or "" when there is none.
    public var contentType: String
    public var body: Data
    /// The Retry-After header, when the server sent one in seconds.
    public var retryAfter: Duration?

    public init(status: Int, contentType: String, body: Data, retryAfter: Duration? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.retryAfter = retryAfter
    }

    /// The first words of the body, on one line, for error messages.
    var bodySnippet: String {
        String(String(decoding: body.prefix(300), as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(120))
    }
}

/// Sends HTTP requests: libcurl on Linux (`CurlHTTPClient`), URLSession elsewhere
/// (`URLSessionHTTPClient`). Behind a protocol so the sync logic never imports networking.
///
/// Throws `SyncError`: `.transport` when the server cannot be reached, `.tls` when the
/// secure connection fails (an untrusted certificate above all).
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse
}

/// The HTTP client for this platform, trusting `caCertificates` (PEM text), else `caFile` (a PEM
/// file), instead of the system's authorities when given.
public func makeHTTPClient(caFile: String? = nil, caCertificates: String? = nil) throws(SyncError) -> any HTTPClient {
    #if canImport(CCurl)
    return CurlHTTPClient(caFile: caFile, caCertificates: caCertificates)
    #else
    guard caFile == nil, caCertificates == nil else {
        throw SyncError(.tls, "this build of gsp uses the system's HTTP stack, which cannot trust a CA file: install the company CA in the system's trust store instead")
    }
    return URLSessionHTTPClient()
    #endif
}
