import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the server listens, checked before libmicrohttpd starts so a failure names its cause:
/// a host that is not a numeric IP, or the reason the operating system refuses the bind.
enum ListenAddress {
    /// Throws when `host` is not a numeric IPv4/IPv6 address or `host:port` cannot be bound now
    /// (EADDRINUSE: the port is taken; EADDRNOTAVAIL: not an address of this machine; EACCES: a
    /// port below 1024 without privilege).
    static func check(host: String, port: UInt16) throws(HTTPServerError) {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
        } else {
            throw HTTPServerError("cannot listen on \(host):\(port): '\(host)' is not a numeric IP address (such as 127.0.0.1, 0.0.0.0 or ::1)")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError("cannot listen on \(host):\(port): socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // The same option libmicrohttpd sets, so a port in TIME_WAIT is not reported as taken.
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = family == AF_INET
            ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        guard bound == 0 else {
            let code = errno
            let why = switch code {
            case EADDRINUSE: "the port is in use (EADDRINUSE): stop what listens there or pick another port (0 picks a free one)"
            case EADDRNOTAVAIL: "\(host) is not an address of this machine (EADDRNOTAVAIL)"
            case EACCES: "permission denied (EACCES): ports below 1024 need privileges; use a higher port"
            default: String(cString: strerror(code))
            }
            throw HTTPServerError("cannot listen on \(host):\(port): \(why)")
        }
    }
}
