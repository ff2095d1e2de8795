/// Reads a command's arguments against its spec: `--name value`, `--name=value`, flags,
/// positionals, and `--` to end the options.
enum Parser {
    static func parse(_ tokens: [String], spec: CommandSpec, path: String) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments(command: path)
        let options = Dictionary(uniqueKeysWithValues: spec.options.map { ($0.name, $0) })
        var index = 0
        var optionsEnded = false
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if optionsEnded || !token.hasPrefix("--") || token == "-" {
                // A lone negative number is a value, not an option.
                if !optionsEnded && token.hasPrefix("-") && token.count > 1 && Double(token) == nil {
                    throw UsageError("unknown option '\(token)'", command: path)
                }
                result.positionals.append(token)
                continue
            }
            if token == "--" { optionsEnded = true; continue }
            var name = String(token.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = options[name] else {
                let known = spec.options.map { "--\($0.name)" }.joined(separator: ", ")
                throw UsageError("unknown option '--\(name)'" + (known.isEmpty ? "" : " (options: \(known))"), command: path)
            }
            if option.value == nil {
                guard inline == nil else { throw UsageError("--\(name) takes no value", command: path) }
                result.flags.insert(name)
                continue
            }
            guard result.values[name] == nil else { throw UsageError("--\(name) given twice", command: path) }
            if let inline {
                result.values[name] = inline
            } else {
                guard index < tokens.count else { throw UsageError("--\(name) needs a value (\(option.value!))", command: path) }
                result.values[name] = tokens[index]
                index += 1
            }
        }
        for option in spec.options where option.required && result.values[option.name] == nil {
            throw UsageError("missing --\(option.name) \(option.value ?? "")", command: path)
        }
        let fixed = spec.arguments.filter { !$0.optional && !$0.repeating }.count
        let needsMore = spec.arguments.contains { $0.repeating && !$0.optional }
        let minimum = fixed + (needsMore ? 1 : 0)
        let maximum = spec.arguments.contains { $0.repeating } ? Int.max : spec.arguments.count
        if result.positionals.count < minimum {
            let missing = spec.arguments.filter { !$0.optional }.dropFirst(result.positionals.count).first
            throw UsageError("missing \(missing?.name ?? "argument")", command: path)
        }
        if result.positionals.count > maximum {
            throw UsageError("unexpected argument '\(result.positionals[maximum])'", command: path)
        }
        return result
    }
}
