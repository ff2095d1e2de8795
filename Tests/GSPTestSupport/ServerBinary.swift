import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `gsp-server` executable on 127.0.0.1 over one database file: its admin commands,
/// and `serve` started, stopped, killed and restarted on the same file.
public final class ServerBinary {
    public let db: String
    public let extraArguments: [String]
    /// Environment added to `serve` (such as a test hook).
    public var environment: [String: String] = [:]
    /// Whether `serve` runs with `--quiet` (no request log on stderr).
    public var quiet = true
    public private(set) var process: RunningProcess?
    /// `http://127.0.0.1:PORT` of the running server.
    public private(set) var url = ""
    public var port: UInt16 { UInt16(url.split(separator: ":").last.flatMap { Int($0) } ?? 0) }

    /// `extraArguments` go to every `serve` (such as `["--idle-timeout-seconds", "1"]`).
    public init(db: String, extraArguments: [String] = []) {
        self.db = db
        self.extraArguments = extraArguments
    }

    deinit { kill() }

    /// Runs an admin command (`user add ...`, `backup FILE`, `restore FILE`) on this database; returns stdout.
    @discardableResult
    public func admin(_ arguments: [String]) throws -> String {
        let result = try GSPBinary.launch(GSPBinary.serverPath, arguments + ["--db", db]).wait()
        guard result.status == 0 else {
            throw TestSupportError("gsp-server \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Adds a user and returns their token.
    public func addUser(_ name: String, role: String) throws -> String {
        try admin(["user", "add", name, "--role", role])
    }

    /// Starts `serve` on a free port and waits for its `listening on` line.
    public func start() throws {
        kill()
        let started = try GSPBinary.launch(GSPBinary.serverPath, ["serve", "--db", db, "--listen", "127.0.0.1:0"]
                                           + (quiet ? ["--quiet"] : []) + extraArguments, environment: environment)
        for _ in 0..<800 {
            if let line = started.outputSoFar.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                url = String(line.dropFirst("listening on ".count))
                process = started
                return
            }
            if !started.isRunning { break }
            usleep(10_000)
        }
        started.sigkill()
        let result = started.wait()
        throw TestSupportError("gsp-server serve did not start: \(result.stderr)")
    }

    /// SIGKILL: the server gets no chance to finish anything.
    public func kill() {
        guard let process else { return }
        process.sigkill()
        _ = process.wait()
        self.process = nil
    }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let process else { return 0 }
        process.terminate()
        // A graceful stop waits up to 30 s for requests in progress; past that it is stuck.
        let status = process.wait(killingAfter: 45).status
        self.process = nil
        return status
    }

    /// The server's stderr so far: its request log (when not quiet) and its error lines.
    public var log: String { process?.errorsSoFar ?? "" }

    /// The most memory the running server has held so far (VmHWM in /proc/PID/status), in bytes.
    public var peakMemoryBytes: Int? {
        guard let pid = process?.pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }

    /// Whether `serve` still runs (it did not crash).
    public var isRunning: Bool { process?.isRunning ?? false }
}
