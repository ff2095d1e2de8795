import Foundation

/// One HTTP request as the routes see it: the body is complete.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string.
    public var path: String
    public var query: [String: String]
    /// Header values by lower-case name.
    public var headers: [String: String]
    public var body: Data
    /// The request came over TLS to this server.
    public var overTLS: Bool

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data(),
                overTLS: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.overTLS = overTLS
    }

    /// Whether the client reached us over HTTPS: directly, or through a proxy that terminated
    /// TLS and says so (`X-Forwarded-Proto: https`).
    public var isSecure: Bool { overTLS || header("x-forwarded-proto")?.lowercased() == "https" }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One HTTP response, with what the request log should say about it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: Data
    public var headers: [String: String] = [:]
    /// For the request log: who asked, and how many changes went in and out.
    public var user: String?
    public var changesIn: Int?
    public var changesOut: Int?

    public init(status: Int, contentType: String, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Data((text + "\n").utf8))
    }

    /// A JSON body from an encodable value (keys sorted, so output is stable).
    public static func json<T: Encodable>(_ status: Int, _ value: T) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return HTTPResponse(status: status, contentType: "application/json", body: try encoder.encode(value) + Data("\n".utf8))
        } catch {
            return .text(500, "cannot encode the response: \(error)")
        }
    }

    /// A JSON error body: `{"error": message}`.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, ["error": message])
    }
}
