import Foundation
import GSPClient

/// What a running command may use: the replica path, the environment and the output streams.
/// Environment lookups and exit codes live here and in main.swift only.
struct Context {
    let arguments: ParsedArguments
    let environment: [String: String]

    /// `--replica`, else `$GSP_REPLICA`, else the per-user default.
    var replicaPath: String {
        if let path = arguments.option("replica"), !path.isEmpty { return path }
        if let path = environment["GSP_REPLICA"], !path.isEmpty { return path }
        return Context.defaultReplicaPath(environment)
    }

    /// True when neither `--replica` nor `$GSP_REPLICA` names the replica.
    var replicaPathIsDefault: Bool {
        (arguments.option("replica") ?? "").isEmpty && (environment["GSP_REPLICA"] ?? "").isEmpty
    }

    static func defaultReplicaPath(_ environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/gsp/replica.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/share/gsp/replica.sqlite"
    }

    func openReplica() throws -> Replica {
        try Replica.open(at: replicaPath)
    }

    var json: Bool { arguments.flag("json") }

    /// Says on stderr that a gate override was recorded without a known role (never logged in).
    func noteUncheckedOverride(_ reason: String?, _ replica: Replica) throws {
        guard reason != nil, try replica.role() == nil else { return }
        note("note: override recorded; this replica has not logged in, so the server checks at sync that you are a manager")
    }

    /// Prints text for people: control characters in it (which can come from any synced
    /// field) are shown visibly, never sent to the terminal as commands.
    func print(_ text: String) {
        Self.writeOut(Self.visible(text) + "\n")
    }

    /// Prints a document as it is, adding a line end only when it has none ("\r\n" counts as one).
    /// `forPeople`: a text document (not JSON nor CSV), whose control characters are shown visibly.
    func printDocument(_ text: String, forPeople: Bool) {
        let text = forPeople ? Self.visible(text) : text
        Self.writeOut(text.unicodeScalars.last == "\n" ? text : text + "\n")
    }

    /// `text` with its control characters made visible, in caret notation ("\u{1B}" is "^[",
    /// "\r" is "^M", DEL is "^?"; C1 controls such as U+009B become "\u{9B}"), except line
    /// ends and tabs. Without it a field such as a deal title could retitle the terminal,
    /// clear it, or overwrite a line with "\r".
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isHidden(scalar) else { out.append(scalar); continue }
            switch scalar.value {
            case 0x7F: out.append(contentsOf: "^?".unicodeScalars)
            case 0..<0x20: out.append("^"); out.append(Unicode.Scalar(UInt8(scalar.value + 0x40)))
            default: out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0..<0x20, 0x7F...0x9F: true
        default: false
        }
    }

    /// Confirms what a mutating command did, the one way every such command does: one line for
    /// people, or with `--json` one object `{"action": ..., <what it names>..., "message": <the line>}`.
    /// `line`: the text line, when it differs from the message (creating commands print only the
    /// new id, so scripts can capture it).
    func confirm(_ action: String, _ message: String, _ members: [(String, JSON)] = [], line: String? = nil) {
        if json {
            printJSON(.object([("action", .string(action))] + members + [("message", .string(message))]))
        } else {
            print(line ?? message)
        }
    }

    func printJSON(_ value: JSON) {
        Self.writeOut(value.rendered() + "\n")
    }

    /// A line on stderr (diagnostics and progress).
    func note(_ text: String) {
        Self.writeError(text + "\n")
    }

    /// Text on stderr as is (progress rewritten in place with a carriage return).
    func noteInline(_ text: String) {
        Self.writeError(text)
    }

    /// Text on stdout as is.
    func printRaw(_ text: String) {
        Self.writeOut(text)
    }

    /// A file error as the operating system words it ("No space left on device"), not as a
    /// Foundation error dump ("Error Domain=NSCocoaErrorDomain Code=640 ...").
    static func describe(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        if let underlying = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if error.domain == NSCocoaErrorDomain && error.code == NSFileNoSuchFileError { return "no such file or folder" }
        return error.localizedDescription
    }

    /// Every byte gsp prints on stdout goes through here. A write that fails (a full disk) is an
    /// error, exit 1: never a crash (the non-throwing FileHandle.write traps) nor a silent
    /// success with the output lost.
    static func writeOut(_ text: String) {
        do { try FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) } catch {
            writeError("gsp: error: cannot write the output (\(describe(error))): free some space or write elsewhere\n")
            exit(ExitStatus.failure)
        }
    }

    /// Writes to stderr, never trapping: when even stderr cannot be written (a full disk),
    /// there is nowhere left to say so, and the exit status still tells.
    static func writeError(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// A progress line on stderr, rewritten in place; `final` ends it.
    func progress(_ text: String, final: Bool) {
        noteInline("\r" + text + (final ? "\n" : ""))
    }

    /// The progress line of an import's write ("  42% (1200 of 2857 fields)"), on a terminal only.
    var importProgress: ((Int, Int) -> Void)? {
        guard stderrIsTerminal else { return nil }
        return { done, all in progress("  \(all == 0 ? 100 : done * 100 / all)% (\(done) of \(all) fields)", final: done == all) }
    }

    /// True when stdout is a terminal: long listings are cut to a page only then.
    var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// True when stderr is a terminal: progress is shown only then.
    var stderrIsTerminal: Bool { isatty(2) == 1 }
}
