import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP over URLSession, for Apple platforms (on Linux `CurlHTTPClient` is used: URLSession
/// there cannot trust a CA file and is slow). Trusts the system's certificate authorities.
public struct URLSessionHTTPClient: HTTPClient {
    public init() {}

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let seconds = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        var urlRequest = URLRequest(url: request.url, timeoutInterval: seconds)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: urlRequest)
        } catch let error as URLError where error.code.rawValue <= URLError.secureConnectionFailed.rawValue
            && error.code.rawValue >= URLError.clientCertificateRequired.rawValue {
            // -1200 ... -1206: the secure connection or the server's certificate failed.
            throw SyncError(.tls, "the secure connection to \(request.url.host ?? "the server") failed (\(error.localizedDescription)): check the server's certificate")
        } catch {
            throw SyncError(.transport, "cannot reach \(request.url.host ?? "the server") (\(error.localizedDescription)): your changes stay pending, try again when online")
        }
        guard let http = response as? HTTPURLResponse else {
            throw SyncError(.transport, "no HTTP answer from \(request.url.absoluteString)")
        }
        let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
        return HTTPClientResponse(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "",
                                  body: data, retryAfter: retryAfter)
    }
}
