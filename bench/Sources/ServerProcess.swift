import Foundation
import GSPServer

/// A real `gsp-server serve` process on a free loopback port: on a fresh SQLite file, or on a
/// database whose users exist already (a PostgreSQL URL, shared by several processes).
final class ServerProcess {
    let process = Process()
    let port: UInt16
    /// The temporary folder this process owns (its SQLite file), removed on stop.
    let folder: URL?
    /// Token of each user, by name.
    let tokens: [String: String]

    /// The gsp-server built next to this gsp-bench.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("gsp-server").path
    }

    /// On a fresh SQLite file; `prepare` fills the store (in this process) before the server starts on it.
    convenience init(users: [User], prepare: (SQLiteServerStore) throws -> Void = { _ in }) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let db = folder.appendingPathComponent("server.sqlite").path
        let tokens: [String: String]
        do {
            let store = try SQLiteServerStore(path: db)
            tokens = try Self.addUsers(users, to: store)
            try prepare(store)
        }
        try self.init(database: db, tokens: tokens, folder: folder)
    }

    /// Gives each user a fresh token in `store`; returns the tokens by name.
    static func addUsers(_ users: [User], to store: any ServerStore) throws -> [String: String] {
        var tokens: [String: String] = [:]
        for user in users {
            let token = try Token.generate()
            try store.addUser(user, tokenHash: Token.hash(token))
            tokens[user.name] = token
        }
        return tokens
    }

    /// On `database` (`--db`), whose users already hold `tokens`.
    init(database: String, tokens: [String: String], folder: URL? = nil) throws {
        self.folder = folder
        self.tokens = tokens
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw BenchFailure(description: "\(Self.binary) not found: build gsp-server first (make bench builds both)")
        }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet"]
        let out = Pipe()
        process.standardError = FileHandle.nullDevice  // "stopping"/"stopped" lines; failures show as refused requests
        process.standardOutput = out
        try process.run()
        // The server prints "listening on http://127.0.0.1:PORT" once it accepts connections.
        var seen = Data()
        while !seen.contains(10) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchFailure(description: "gsp-server exited before listening") }
            seen.append(chunk)
        }
        let line = String(decoding: seen, as: UTF8.self)
        guard let portText = line.split(separator: ":").last?.prefix(while: \.isNumber), let port = UInt16(portText) else {
            throw BenchFailure(description: "gsp-server said '\(line)', not 'listening on http://HOST:PORT'")
        }
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    /// Peak resident memory of the server process so far, MiB.
    var peakMiB: Double { Machine.memoryMiB(pid: pid, field: "VmHWM:") }
    var residentMiB: Double { Machine.memoryMiB(pid: pid, field: "VmRSS:") }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    deinit { stop() }
}
