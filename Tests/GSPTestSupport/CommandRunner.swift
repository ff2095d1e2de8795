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

/// A started child process with its output captured to temporary files (pipes could fill up and block it).
public final class RunningProcess {
    let process = Process()
    let outURL: URL, errURL: URL

    init(executable: String, arguments: [String], environment: [String: String], stdoutPath: String? = nil, stderrPath: String? = nil) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-run-\(UUID().uuidString)")
        outURL = base.appendingPathExtension("out")
        errURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutPath.map { URL(fileURLWithPath: $0) } ?? outURL)
        process.standardError = try FileHandle(forWritingTo: stderrPath.map { URL(fileURLWithPath: $0) } ?? errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// What the process wrote to stdout so far.
    public var outputSoFar: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    /// What the process wrote to stderr so far (its log, for a server).
    public var errorsSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Sends SIGKILL (the process gets no chance to clean up).
    public func sigkill() {
        if process.isRunning { _ = kill(pid, SIGKILL) }
    }

    public func wait() -> ProcessResult {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessResult(status: process.terminationStatus, stdout: out, stderr: err,
                             killed: process.terminationReason == .uncaughtSignal)
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
