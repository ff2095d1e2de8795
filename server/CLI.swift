import Foundation
import GSPServer

/// Exit codes: 0 done, 1 failed (the message says what to do), 64 the command line was wrong.
enum ExitCode {
    static let failure: Int32 = 1
    static let usage: Int32 = 64
}

/// A wrong command line: printed with the command's usage, exit 64.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The command line after the subcommand: positionals, `--name value` options and `--flag`s.
struct Arguments {
    private(set) var positionals: [String] = []
    private var options: [String: String] = [:]
    private var flags: Set<String> = []
    let wantsHelp: Bool

    /// Parses `words`, accepting only the given option and flag names (without dashes).
    /// Refused, naming the word: an unknown `--name` or `-x`, an option without its value (the
    /// end of the line, or the next option where its value should be), a flag given a value, an
    /// option or flag given twice. A value that starts with `-` must be written `--name=value`;
    /// after `--` every word is a positional.
    init(_ words: ArraySlice<String>, options known: Set<String>, flags knownFlags: Set<String> = []) throws {
        var words = words[...]
        var help = false
        var seen: Set<String> = []
        while let word = words.popFirst() {
            if word == "--help" || word == "-h" { help = true; continue }
            if word == "--" { positionals.append(contentsOf: words); break }
            guard word.hasPrefix("-"), word != "-" else { positionals.append(word); continue }
            guard word.hasPrefix("--") else {
                throw UsageError("unknown option \(word): options are spelled out, such as --role (see --help)")
            }
            var name = String(word.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard known.contains(name) || knownFlags.contains(name) else { throw UsageError("unknown option --\(name)") }
            guard seen.insert(name).inserted else { throw UsageError("--\(name) is given twice: give it once") }
            if knownFlags.contains(name) {
                guard value == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
                continue
            }
            if value == nil, let next = words.first, !next.hasPrefix("-") || next == "-" {
                value = words.popFirst()
            }
            guard let value else { throw UsageError("--\(name) needs a value (a value starting with '-' goes as --\(name)=VALUE)") }
            options[name] = value
        }
        wantsHelp = help
    }

    func option(_ name: String) -> String? { options[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    func required(_ name: String) throws -> String {
        guard let value = options[name], !value.isEmpty else { throw UsageError("--\(name) is required") }
        return value
    }

    func positional(_ index: Int, _ what: String) throws -> String {
        guard index < positionals.count else { throw UsageError("missing \(what)") }
        return positionals[index]
    }

    func expectPositionals(_ count: Int) throws {
        if positionals.count > count { throw UsageError("unexpected argument '\(positionals[count])'") }
    }
}

/// One subcommand: its usage text and what it does.
struct Command: Sendable {
    let name: String
    let summary: String
    let usage: String
    let run: @Sendable (ArraySlice<String>, _ usage: String) throws -> Void
}

enum Output {
    /// A line on stdout. When it cannot be written (a full disk, a closed pipe) the command stops
    /// with an error instead of going on as if it had been read (a new user's token lost, exit 0).
    static func out(_ text: String) {
        do { try write(text) } catch {
            err("gsp-server: error: cannot write the output: \(error.localizedDescription)")
            exit(1)
        }
    }

    /// A line on stdout; throws when it cannot be written.
    static func write(_ text: String) throws {
        try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Pretty-printed JSON; an empty list is `[]` (Foundation's pretty printer writes it over
    /// three lines on Linux).
    static func json<T: Encodable>(_ value: T) throws {
        if let list = value as? [any Encodable], list.isEmpty { return out("[]") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            out(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
    }
}

/// Reads a date given as YYYY-MM-DD (midnight UTC) or a full ISO 8601 time, as the HTTP
/// routes do (`QueryParameters.moment`); `option` names it in the usage error.
func parseDate(_ text: String, option: String) throws -> Date {
    do { return try QueryParameters.moment(text, name: option) } catch { throw UsageError(error.message) }
}
