import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a report from the server: `GET /v1/reports/NAME` with the replica's token.
public enum ReportRequest {
    public enum Format: String, Sendable {
        case text = "text/plain", json = "application/json", csv = "text/csv"
    }

    public static func fetch(server: String, token: String, name: String, query: [String: String],
                             format: Format, timeout: TimeInterval = 120) async throws -> String {
        guard var components = URLComponents(string: server) else {
            throw SyncError(.transport, "'\(server)' is not a server URL: run 'gsp login --server http://HOST:PORT --token TOKEN'")
        }
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + "/v1/reports/" + name
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = components.url else { throw SyncError(.transport, "cannot build a report URL from '\(server)'") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(format.rawValue, forHTTPHeaderField: "Accept")
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw SyncError(.transport, "cannot reach \(server): \(error.localizedDescription); check the server is running, or use --local for the replica's own data")
        }
        let body = String(decoding: data, as: UTF8.self)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 200: return body
        case 401: throw SyncError(.tokenRejected, "token rejected: run 'gsp login --server URL --token TOKEN'")
        case 403: throw SyncError(.server, "reports on the server are for managers; use --local for the deals this replica holds")
        default:
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String ?? body
            throw SyncError(.server, "the server answered \(status): \(message)")
        }
    }
}
