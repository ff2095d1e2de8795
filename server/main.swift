import Foundation
import GSPCore
import GSPServer

// gsp-server: the central sync server and its administration commands.
let commands: [Command] = [serveCommand, migrateCommand, userCommand, conflictsCommand, backupCommand, restoreCommand]

@MainActor func mainUsage() -> String {
    var text = "usage: gsp-server COMMAND [OPTIONS]   ('gsp-server COMMAND --help' for details)\n\ncommands:\n"
    for command in commands {
        text += "  " + command.name.padding(toLength: 10, withPad: " ", startingAt: 0) + command.summary + "\n"
    }
    return text
}

let words = CommandLine.arguments.dropFirst()
if Array(words) == ["--version"] {
    Output.out("gsp-server \(Release.description)")
    exit(0)
}
guard let name = words.first, name != "--help", name != "-h", name != "help" else {
    if words.isEmpty {
        Output.err(mainUsage())
        exit(ExitCode.usage)
    }
    Output.out(mainUsage())
    exit(0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    Output.err("gsp-server: error: unknown command '\(name)'\n\n" + mainUsage())
    exit(ExitCode.usage)
}
// A closed stdout pipe must fail a write with an error the command can act on (not add a user
// whose token went nowhere) rather than kill the process where it stands; and a request log
// piped to a reader that went away must not stop the server (the failed write is ignored).
signal(SIGPIPE, SIG_IGN)
do {
    try command.run(words.dropFirst(), command.usage)
} catch let error as UsageError {
    Output.err(redactingDatabase("gsp-server \(command.name): error: \(error.message)\n\n\(command.usage)"))
    exit(ExitCode.usage)
} catch {
    Output.err(redactingDatabase("gsp-server \(command.name): error: \(error)"))
    exit(ExitCode.failure)
}

/// `text` without the passwords of any --db on the command line: the errors that end a command
/// can quote the URL or libpq's words about it (the stores redact too; this is the last net).
func redactingDatabase(_ text: String) -> String {
    var text = text, rest = words[...]
    while let word = rest.popFirst() {
        if word == "--db", let value = rest.first { text = StoreOpener.redact(text, secretsOf: value) }
        if word.hasPrefix("--db=") { text = StoreOpener.redact(text, secretsOf: String(word.dropFirst(5))) }
    }
    return text
}
