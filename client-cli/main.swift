import Foundation
import GSPClient

// Exit codes: 0 done, 64 the command line is malformed, 1 the command failed (see ExitStatus).
let dispatcher = Dispatcher(root: Registry.commands)
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment

func fail(_ message: String, code: Int32) -> Never {
    Context.writeError("gsp: " + message + "\n")
    exit(code)
}

var commandPath: String?
do {
    switch try dispatcher.resolve(arguments) {
    case .help(let text):
        Context.writeOut(text + "\n")
    case .usage(let text):
        Context.writeError(text + "\n")
        exit(ExitStatus.usage)
    case .run(let command, let parsed):
        commandPath = parsed.command
        try command.run(Context(arguments: parsed, environment: environment))
    }
} catch let error as UsageError {
    let hint = error.command.map { $0.isEmpty ? "gsp --help" : "gsp \($0) --help" } ?? "gsp --help"
    fail("error: \(error.message)\nRun '\(hint)' for usage.", code: ExitStatus.usage)
} catch {
    let status = ExitStatus.of(error)
    let hint = status == ExitStatus.usage ? "\nRun 'gsp \(commandPath.map { $0 + " " } ?? "")--help' for usage." : ""
    fail("error: \(error)\(hint)", code: status)
}

