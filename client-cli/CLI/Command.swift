/// One `gsp` subcommand: its description, how it reads its arguments, and what it does.
///
/// To add a command: write a type conforming to `Command`, then list it in a
/// `CommandNode` group (see `Registry.swift`).
protocol Command {
    static var spec: CommandSpec { get }
    /// Reads the parsed command line; throws `UsageError` for a missing or malformed argument.
    init(_ arguments: ParsedArguments) throws(UsageError)
    /// Checks combinations the parser cannot (such as two exclusive options).
    func validate() throws(UsageError)
    func run(_ context: Context) throws
}

extension Command {
    func validate() throws(UsageError) {}
}

/// A command's name, one-line summary, positional arguments and options, for parsing and `--help`.
struct CommandSpec {
    var name: String
    var summary: String
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []
    /// More text after the option list in `--help`.
    var discussion: String? = nil
}

struct ArgumentSpec {
    var name: String
    var help: String
    var optional = false
    /// Takes every remaining argument (at least one unless optional).
    var repeating = false
}

struct OptionSpec {
    /// Without the leading dashes.
    var name: String
    /// The placeholder shown in help; nil for a flag.
    var value: String?
    var help: String
    var required = false

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: nil, help: help) }
    static func value(_ name: String, _ placeholder: String, _ help: String, required: Bool = false) -> OptionSpec {
        OptionSpec(name: name, value: placeholder, help: help, required: required)
    }
    static let json = OptionSpec.flag("json", "print JSON (stable keys, see docs/user-guide.md)")
}

/// The command line is malformed: exit 64 with the message and a pointer to `--help`.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    /// The command path whose help explains the right usage ("deal new").
    var command: String?
    init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }
    var description: String { message }
}

/// Arguments and options as the parser found them, read by name.
struct ParsedArguments {
    var command: String
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    func option(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = values[name] else { throw UsageError("missing --\(name)", command: command) }
        return value
    }

    func positional(_ index: Int) throws(UsageError) -> String {
        guard index < positionals.count else { throw UsageError("missing argument \(index + 1)", command: command) }
        return positionals[index]
    }

    func integer(_ name: String) throws(UsageError) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let value = Int64(text) else { throw UsageError("--\(name) takes a whole number, not '\(text)'", command: command) }
        return value
    }
}
