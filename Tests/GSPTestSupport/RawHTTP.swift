import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One raw TCP connection to 127.0.0.1, for requests no polite client sends: half-written
/// headers, bodies that never finish, garbage request lines, a client gone after sending.
public final class RawConnection {
    let fd: Int32

    /// `from` binds the client side to another loopback address (such as 127.0.0.2), so one
    /// test can be several client hosts.
    public init(port: UInt16, from source: String? = nil) throws {
        // The descriptor is stored only once connected: Swift runs deinit (which closes it) even
        // when a class's init throws after every property is set, and a second close would hit
        // a descriptor another thread opened meanwhile.
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw TestSupportError("bind to \(source) failed: errno \(code)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw TestSupportError("connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes all of `data`; false when the peer has closed the connection.
    @discardableResult
    public func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Data(text.utf8)) }

    /// Reads what arrives until the peer closes, or until nothing arrives for `idle` seconds.
    /// `closed` tells which of the two ended the read.
    public func receive(idle: Double = 10) -> (data: Data, closed: Bool) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(idle * 1000))
            if ready <= 0 { return (data, false) }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return (data, true) }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Reads one HTTP response (headers, then `Content-Length` bytes of body).
    public func receiveResponse(idle: Double = 10) -> RawResponse? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let response = RawResponse(parsing: data), response.complete { return response }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(idle * 1000)) > 0 else { return RawResponse(parsing: data) }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return RawResponse(parsing: data) }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Closes the connection at once.
    public func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }
}

/// An HTTP response read off a raw connection.
public struct RawResponse: Sendable {
    public var status: Int
    /// Header values by lower-case name.
    public var headers: [String: String]
    public var body: Data
    /// Whether the whole body announced by `Content-Length` arrived.
    public var complete: Bool

    init?(parsing data: Data) {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = Data(data[end.upperBound...])
        let length = headers["content-length"].flatMap(Int.init) ?? 0
        complete = body.count >= length
        if body.count > length { body = body.prefix(length) }
    }
}

public enum RawHTTP {
    /// Sends one request with `Connection: close` and reads the answer; nil when the server
    /// closed the connection without one.
    public static func request(port: UInt16, _ method: String, _ path: String, headers: [String: String] = [:],
                               body: Data = Data(), idle: Double = 10) throws -> RawResponse? {
        let connection = try RawConnection(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if headers.keys.allSatisfy({ $0.lowercased() != "content-length" && $0.lowercased() != "transfer-encoding" }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        connection.write(Data((head + "\r\n").utf8) + body)
        return connection.receiveResponse(idle: idle)
    }
}
