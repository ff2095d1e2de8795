import Foundation

/// The real `gsp-server` binary serving a fresh SQLite file on a free loopback port, with
/// users made by its own `user add` command. Killed when released.
public final class RealServer {
    public let db: String
    public private(set) var url = ""
    private var process: RunningProcess?

    public init(directory: TemporaryDirectory) {
        db = directory.path("server.db")
    }

    /// Adds a user (`rep` or `manager`) and returns the token `gsp-server` printed.
    public func addUser(_ name: String, role: String) throws -> String {
        let result = try GSPBinary.launch(GSPBinary.serverPath, ["user", "add", name, "--role", role, "--db", db]).wait()
        guard result.status == 0 else { throw TestSupportError("gsp-server user add \(name): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts serving and waits (up to 5 s) for the "listening on URL" line.
    /// `stderrPath`: where the server's request log goes instead of the captured file (such as /dev/full).
    public func start(stderrPath: String? = nil) throws {
        let server = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", db, "--listen", "127.0.0.1:0"], stderrPath: stderrPath)
        process = server
        for _ in 0..<200 {
            if let line = server.outputSoFar.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                url = String(line.dropFirst("listening on ".count))
                return
            }
            usleep(25_000)
        }
        throw TestSupportError("gsp-server did not start")
    }

    deinit {
        process?.sigkill()
        _ = process?.wait()
    }
}
