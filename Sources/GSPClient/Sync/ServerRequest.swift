import Foundation

/// Plain GET requests to the server with the replica's token (reports, who-am-I).
enum ServerRequest {
    static func get(_ server: ServerEndpoint, path: String, query: [String: String] = [:],
                    accept: String, timeout: Duration) async throws -> String {
        let response = try await makeHTTPClient(caFile: server.caFile, caCertificates: server.caCertificates).send(HTTPClientRequest(
            method: "GET", url: try server.url(path, query: query),
            headers: ["Authorization": "Bearer \(server.token)", "Accept": accept], timeout: timeout))
        let body = String(decoding: response.body, as: UTF8.self)
        switch response.status {
        case 200: return body
        case 401: throw SyncError(.tokenRejected, "token rejected by \(server.server) (revoked or mistyped): check it, or ask an administrator for a new one, then run 'gsp login --server URL --token TOKEN'")
        case 502, 503, 504: throw SyncError(.unavailable, "\(server.server) is unavailable (HTTP \(response.status)): try again later", retryAfter: response.retryAfter)
        default:
            let message = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["error"] as? String ?? body
            throw SyncError(.server, "the server answered \(response.status): \(message)")
        }
    }
}

/// Who a token belongs to, as the server says (`GET /v1/whoami`).
public struct ServerIdentity: Equatable, Sendable {
    public var name: String
    public var role: String

    public static func fetch(_ server: ServerEndpoint, timeout: Duration = .seconds(15)) async throws -> ServerIdentity {
        let body = try await ServerRequest.get(server, path: "/v1/whoami", accept: "application/json", timeout: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let name = object["name"] as? String, let role = object["role"] as? String else {
            throw SyncError(.protocolError, "\(server.server) is not a GSP server (its /v1/whoami answer is not understood)")
        }
        return ServerIdentity(name: name, role: role)
    }
}
