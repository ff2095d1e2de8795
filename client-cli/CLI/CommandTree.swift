import GSPCore

/// The tree of commands: groups ("deal", "kpi") hold commands or further groups.
indirect enum CommandNode {
    case command(any Command.Type)
    case group(name: String, summary: String, children: [CommandNode])

    var name: String {
        switch self {
        case .command(let type): type.spec.name
        case .group(let name, _, _): name
        }
    }

    var summary: String {
        switch self {
        case .command(let type): type.spec.summary
        case .group(_, let summary, _): summary
        }
    }
}

/// Options every command accepts.
enum GlobalOptions {
    static let replica = OptionSpec.value("replica", "PATH", "the replica file (default: $GSP_REPLICA, else $XDG_DATA_HOME/gsp/replica.sqlite, else ~/.local/share/gsp/replica.sqlite)")
    static let help = OptionSpec.flag("help", "show this help")
}

/// Finds the command a command line names, and prints help for commands and groups.
struct Dispatcher {
    let root: [CommandNode]

    /// What the command line asks for.
    enum Request {
        case help(String)
        /// Help for a command line that names nothing to run: stderr, exit 64.
        case usage(String)
        case run(any Command, ParsedArguments)
    }

    func resolve(_ arguments: [String]) throws(UsageError) -> Request {
        var tokens = arguments
        var replica: String?
        // `--replica PATH` may also come before the command name.
        while let first = tokens.first, first == "--replica" || first.hasPrefix("--replica=") {
            if first == "--replica" {
                guard tokens.count > 1 else { throw UsageError("--replica needs a value (PATH)") }
                replica = tokens[1]
                tokens.removeFirst(2)
            } else {
                replica = String(first.dropFirst("--replica=".count))
                tokens.removeFirst()
            }
        }
        if tokens == ["--version"] || tokens == ["-V"] { return .help("gsp \(Release.description)") }
        var level = root
        var path: [String] = []
        var groupSummary = "record and sync the deals of the General Sales Process"
        while true {
            guard let word = tokens.first, !word.hasPrefix("-") else {
                if tokens.first == "--help" || tokens.first == "-h" {
                    return .help(groupHelp(path: path, summary: groupSummary, children: level))
                }
                if tokens.isEmpty && path.isEmpty { return .usage(groupHelp(path: path, summary: groupSummary, children: level)) }
                let scope = (["gsp"] + path).joined(separator: " "), group = path.isEmpty ? nil : path.joined(separator: " ")
                if let word = tokens.first {
                    // Before a command, only the replica and help options exist: say so (a guess like --db is common).
                    let known = path.isEmpty ? ": before the command, gsp takes --replica PATH, --help or --version" : ""
                    throw UsageError("unknown option '\(word)' for '\(scope)'\(known)", command: group)
                }
                throw UsageError("'\(scope)' needs a subcommand: \(level.map(\.name).joined(separator: ", "))", command: group)
            }
            guard let node = level.first(where: { $0.name == word }) else {
                let scope = path.isEmpty ? "gsp" : "gsp \(path.joined(separator: " "))"
                throw UsageError("unknown command '\(word)' for '\(scope)': use one of \(level.map(\.name).joined(separator: ", "))",
                                 command: path.isEmpty ? nil : path.joined(separator: " "))
            }
            tokens.removeFirst()
            path.append(word)
            switch node {
            case .group(_, let summary, let children):
                level = children
                groupSummary = summary
            case .command(let type):
                let name = path.joined(separator: " ")
                let beforeSeparator = tokens.prefix { $0 != "--" }
                if beforeSeparator.contains("--help") || beforeSeparator.contains("-h") { return .help(commandHelp(type.spec, path: name)) }
                var spec = type.spec
                spec.options += [GlobalOptions.replica]
                var parsed = try Parser.parse(tokens, spec: spec, path: name)
                if let replica, parsed.values["replica"] == nil { parsed.values["replica"] = replica }
                let command = try type.init(parsed)
                try command.validate()
                return .run(command, parsed)
            }
        }
    }

    func groupHelp(path: [String], summary: String, children: [CommandNode]) -> String {
        let name = (["gsp"] + path).joined(separator: " ")
        let width = (children.map(\.name.count).max() ?? 0) + 2
        var lines = ["\(name): \(summary)", "", "Usage: \(name) <command> [options]", "", "Commands:"]
        for child in children { lines.append("  " + child.name.padding(toLength: width, withPad: " ", startingAt: 0) + child.summary) }
        lines += ["", "Options:", "  --replica PATH  \(GlobalOptions.replica.help)", "  -h, --help      show help"]
        if path.isEmpty { lines.append("  --version       show the version") }
        lines += ["", "Run '\(name) <command> --help' for a command's options."]
        return lines.joined(separator: "\n")
    }

    func commandHelp(_ spec: CommandSpec, path: String) -> String {
        var usage = "gsp \(path)"
        for argument in spec.arguments {
            let shown = argument.name + (argument.repeating ? " ..." : "")
            usage += argument.optional ? " [\(shown)]" : " \(shown)"
        }
        for option in spec.options {
            let shown = "--\(option.name)" + (option.value.map { " \($0)" } ?? "")
            usage += option.required ? " \(shown)" : " [\(shown)]"
        }
        var rows: [(String, String)] = spec.arguments.map { ($0.name, $0.help) }
        rows += (spec.options + [GlobalOptions.replica]).map { ("--\($0.name)" + ($0.value.map { " \($0)" } ?? ""), $0.help + ($0.required ? " (required)" : "")) }
        rows.append(("-h, --help", "show this help"))
        let width = (rows.map(\.0.count).max() ?? 0) + 2
        var lines = ["gsp \(path): \(spec.summary)", "", "Usage: \(usage)", ""]
        lines += rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }
        if let discussion = spec.discussion { lines += ["", discussion] }
        return lines.joined(separator: "\n")
    }

    /// Every command path in the tree, for tests and docs ("deal new", "kpi add", ...).
    static func commandPaths(_ nodes: [CommandNode], prefix: [String] = []) -> [[String]] {
        nodes.flatMap { node -> [[String]] in
            switch node {
            case .command: [prefix + [node.name]]
            case .group(let name, _, let children): [prefix + [name]] + commandPaths(children, prefix: prefix + [name])
            }
        }
    }
}
