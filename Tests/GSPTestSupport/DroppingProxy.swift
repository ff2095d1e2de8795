import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP proxy on 127.0.0.1 that forwards each HTTP request to the server, reads the server's
/// whole answer, then closes the client's connection without passing the answer on: the
/// server committed, the client never heard. One request per connection.
public final class DroppingProxy: Sendable {
    private let listener: Int32
    public let port: UInt16
    private let upstream: UInt16
    private let counts = Mutex((forwarded: 0, answered: 0))

    public init(upstream: UInt16) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { close(fd); throw TestSupportError("the proxy cannot listen: errno \(errno)") }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        self.upstream = upstream
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// Requests forwarded to the server, and of those, answers the server gave (and the proxy dropped).
    public var forwarded: Int { counts.withLock { $0.forwarded } }
    public var answered: Int { counts.withLock { $0.answered } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var continued = false
        while true {
            if let end = request.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: request[..<end.lowerBound], as: UTF8.self).lowercased()
                // libcurl waits for "100 Continue" before sending a body: say it here, strip it upstream.
                if head.contains("expect: 100-continue") && !continued {
                    continued = true
                    _ = "HTTP/1.1 100 Continue\r\n\r\n".withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                }
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if request.count - end.upperBound >= length { break }
            }
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return }
            request.append(contentsOf: buffer[0..<count])
        }
        // Only the head is text; the body is a binary frame and is passed on byte for byte.
        let end = request.range(of: Data("\r\n\r\n".utf8))!
        let head = String(decoding: request[..<end.upperBound], as: UTF8.self)
            .replacingOccurrences(of: "Expect: 100-continue\r\n", with: "", options: .caseInsensitive)
        let forwardedRequest = Data(head.utf8) + request[end.upperBound...]
        guard let server = try? RawConnection(port: upstream), server.write(forwardedRequest) else { return }
        counts.withLock { $0.forwarded += 1 }
        if server.receiveResponse(idle: 60)?.complete == true { counts.withLock { $0.answered += 1 } }
        // The answer is dropped: the client's connection closes without it.
    }
}
