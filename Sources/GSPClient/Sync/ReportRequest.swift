import Foundation

/// Fetches a report from the server: `GET /v1/reports/NAME` with the replica's token.
public enum ReportRequest {
    public enum Format: String, Sendable {
        case text = "text/plain", json = "application/json", csv = "text/csv"
    }

    public static func fetch(_ server: ServerEndpoint, name: String, query: [String: String],
                             format: Format, timeout: Duration = .seconds(120)) async throws -> String {
        do {
            return try await ServerRequest.get(server, path: "/v1/reports/" + name, query: query, accept: format.rawValue, timeout: timeout)
        } catch let error as SyncError where error.code == .server && error.message.contains("answered 403") {
            throw SyncError(.server, "reports on the server are for managers; use --local for the deals this replica holds")
        }
    }
}
