import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when the process was killed by a signal rather than exiting.
    public var killed: Bool
}

/// Runs the real `gsp` binary built by `swift build` (`.build/debug/gsp` under the package
/// root, or `$GSP_BIN`), each run with its own environment.
public enum GSPBinary {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["GSP_BIN"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/gsp").path
    }

    /// The `gsp-server` binary next to `gsp`.
    public static var serverPath: String {
        (path as NSString).deletingLastPathComponent + "/gsp-server"
    }

    /// Starts any executable with `arguments` and the current environment plus `environment`.
    /// `stderrPath`: a file the process writes its stderr to instead of the captured one (such as /dev/full).
    public static func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                              stdoutPath: String? = nil, stderrPath: String? = nil) throws -> RunningProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSupportError("no executable at \(executable): run 'swift build' first")
        }
        return try RunningProcess(executable: executable, arguments: arguments,
                                  environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                                  stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Runs `gsp` with `arguments`, the replica given by `GSP_REPLICA`, and waits for it.
    public static func run(_ arguments: [String], replica: String, environment: [String: String] = [:]) throws -> ProcessResult {
        let process = try start(arguments, replica: replica, environment: environment)
        return process.wait()
    }

    /// Starts `gsp` without waiting: for tests that kill it.
    /// `stdoutPath`: a file the process writes its stdout to instead of the captured one (such as /dev/full).
    public static func start(_ arguments: [String], replica: String, environment: [String: String] = [:],
                             stdoutPath: String? = nil) throws -> RunningProcess {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError("no gsp binary at \(path): run 'swift build' first (or set GSP_BIN)")
        }
        var env = ProcessInfo.processInfo.environment
        env["GSP_REPLICA"] = replica
        env.merge(environment) { _, new in new }
        return try RunningProcess(executable: path, arguments: arguments, environment: env, stdoutPath: stdoutPath)
    }
}

/// A started child process with its output captured to temporary files (pipes could fill up
/// and block it). Started with posix_spawn and reaped with waitpid: Foundation's Process here
/// sometimes missed a child's exit (a zombie left waiting) or reported the exit with
/// the output not all written, so a test saw an empty token from a command that had printed one.
public final class RunningProcess: @unchecked Sendable {
    // @unchecked: `exit` is only touched under `lock`; everything else is immutable.
    public let pid: pid_t
    let outURL: URL, errURL: URL
    private let lock = NSLock()
    private var exit: Int32?

    init(executable: String, arguments: [String], environment: [String: String], stdoutPath: String? = nil, stderrPath: String? = nil) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-run-\(UUID().uuidString)")
        outURL = base.appendingPathExtension("out")
        errURL = base.appendingPathExtension("err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of ours: a child holding a copy of a test's listening socket or connection
        // kept it open after the test closed it, so clients waited on a port nobody served.
        guard ChildProcesses.closeFrom(&actions, 3) == 0 else { throw TestSupportError("cannot ask posix_spawn to close the other descriptors") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard code == 0 else { throw TestSupportError("cannot start \(executable): error \(code)") }
        self.pid = pid
        ChildProcesses.shared.started(pid)
    }

    deinit {
        // Never leave a zombie behind; a test that forgot to stop a server gets it killed here.
        if reap(blocking: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }

    /// What the process wrote to stdout so far.
    public var outputSoFar: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    /// What the process wrote to stderr so far (its log, for a server).
    public var errorsSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Sends SIGKILL (the process gets no chance to clean up).
    public func sigkill() { signal(SIGKILL) }

    /// Sends SIGTERM (a graceful stop).
    public func terminate() { signal(SIGTERM) }

    private func signal(_ number: Int32) {
        lock.withLock { if exit == nil { _ = kill(pid, number) } }
    }

    /// Waits up to `seconds` for the exit, then sends SIGKILL: a process that ignores its SIGTERM
    /// fails its test (the result shows the kill) instead of hanging the whole run,
    /// since a blocked wait holds one of the few threads every async test shares.
    public func wait(killingAfter seconds: Double) -> ProcessResult {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning { sigkill() }
        return wait()
    }

    /// Waits for the exit and returns the status and both outputs.
    public func wait() -> ProcessResult {
        let status = reap(blocking: true) ?? 0
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        let signalled = status & 0x7f != 0
        // Like Foundation: the signal number when killed by one.
        return ProcessResult(status: signalled ? status & 0x7f : (status >> 8) & 0xff, stdout: out, stderr: err, killed: signalled)
    }

    /// The raw wait status once the process has exited (nil while it runs, when not `blocking`).
    @discardableResult
    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if let exit { return exit }
            var status: Int32 = 0
            while true {
                let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
                if result == pid {
                    exit = status
                    ChildProcesses.shared.ended(pid)
                    return status
                }
                if result == -1 && errno == EINTR { continue }
                if result == -1 { exit = 0; return 0 }  // not our child any more: treat as gone
                return nil
            }
        }
    }
}

/// Every child still running, killed when the test process exits: a test that failed or
/// leaked its server object must not leave servers running after the run (they kept ports,
/// files and CPU for the next runs).
final class ChildProcesses: @unchecked Sendable {
    // @unchecked: `pids` is only touched under `lock`.
    static let shared: ChildProcesses = {
        let registry = ChildProcesses()
        atexit { ChildProcesses.shared.killAll() }
        return registry
    }()
    private let lock = NSLock()
    private var pids: Set<pid_t> = []

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's Glibc module does not show.
    static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("this glibc has no posix_spawn_file_actions_addclosefrom_np (2.34 or later is needed)")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    func started(_ pid: pid_t) { lock.withLock { _ = pids.insert(pid) } }
    func ended(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }
    func killAll() { for pid in lock.withLock({ pids }) { kill(pid, SIGKILL) } }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
