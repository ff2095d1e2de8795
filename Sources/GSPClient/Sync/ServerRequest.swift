import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Plain GET requests to the server with the replica's token (reports, who-am-I).
enum ServerRequest {
    static func get(server: String, token: String, path: String, query: [String: String] = [:],
                    accept: String, timeout: TimeInterval) async throws -> String {
        guard var components = URLComponents(string: server) else {
            throw SyncError(.transport, "'\(server)' is not a server URL: run 'gsp login --server http://HOST:PORT --token TOKEN'")
        }
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + path
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = components.url else { throw SyncError(.transport, "cannot build a URL from '\(server)'") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw SyncError(.transport, "cannot reach \(server): \(error.localizedDescription); check the server is running and the URL")
        }
        let body = String(decoding: data, as: UTF8.self)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 200: return body
        case 401: throw SyncError(.tokenRejected, "token rejected by \(server) (revoked or mistyped): check it, or ask an administrator for a new one, then run 'gsp login --server URL --token TOKEN'")
        default:
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String ?? body
            throw SyncError(.server, "the server answered \(status): \(message)")
        }
    }
}

/// Who a token belongs to, as the server says (`GET /v1/whoami`).
public struct ServerIdentity: Equatable, Sendable {
    public var name: String
    public var role: String

    public static func fetch(server: String, token: String, timeout: TimeInterval = 15) async throws -> ServerIdentity {
        let body = try await ServerRequest.get(server: server, token: token, path: "/v1/whoami", accept: "application/json", timeout: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let name = object["name"] as? String, let role = object["role"] as? String else {
            throw SyncError(.protocolError, "\(server) is not a GSP server (its /v1/whoami answer is not understood)")
        }
        return ServerIdentity(name: name, role: role)
    }
}
