import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GSPServer
import GSPTestSupport

/// A PostgreSQL server of the test's own (initdb in a temporary folder, a free loopback
/// port), for tests that stop and start it without disturbing other tests' databases.
/// Uses the binaries in GSP_TEST_POSTGRES_BIN; runs them as `postgres` when we are root.
final class PostgresCluster: @unchecked Sendable {
    // @unchecked: every property is immutable after init.
    let folder: String
    let port: Int
    let bin: String
    var url: String { "postgres://gsp@127.0.0.1:\(port)/postgres?connect_timeout=5" }
    private var data: String { folder + "/data" }

    /// `settings` are extra server settings, such as `["max_connections=6"]`.
    let settings: [String]

    init(settings: [String] = []) throws {
        self.settings = settings
        guard let bin = ProcessInfo.processInfo.environment["GSP_TEST_POSTGRES_BIN"], !bin.isEmpty else {
            throw ServerStoreError("GSP_TEST_POSTGRES_BIN is not set: run the tests with scripts/with-postgres.sh")
        }
        self.bin = bin
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-pgcluster-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", folder]) }
        port = try Self.freePort()
        try pg("initdb", ["-D", data, "-U", "gsp", "--auth=trust", "-E", "UTF8"])
        try start()
    }

    deinit {
        _ = try? pg("pg_ctl", ["-D", data, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    func start() throws {
        try pg("pg_ctl", ["-D", data, "-l", folder + "/server.log", "-w", "-o",
                          "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off" + settings.map { " -c \($0)" }.joined(), "start"])
    }

    /// A fast shutdown: open connections are terminated, as in a real restart.
    func stop() throws {
        try pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
    }

    private func pg(_ tool: String, _ arguments: [String]) throws {
        let path = bin + "/" + tool
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    /// Runs a command to completion (posix_spawn and waitpid, output to files: the postmaster
    /// that pg_ctl starts inherits them and never closes them, which would hang a pipe reader).
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let result = try GSPBinary.launch(executable, arguments).wait()
        guard result.status == 0 else {
            throw ServerStoreError("\(executable) \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.stderr)")
        }
    }

    /// A loopback port nobody listens on right now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerStoreError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerStoreError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
