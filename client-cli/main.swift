import Foundation
import GSPClient

// Exit codes: 0 done, 64 the command line is malformed, 1 the command failed.
let dispatcher = Dispatcher(root: Registry.commands)
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data(("gsp: " + message + "\n").utf8))
    exit(code)
}

do {
    switch try dispatcher.resolve(arguments) {
    case .help(let text):
        print(text)
    case .run(let command, let parsed):
        try command.run(Context(arguments: parsed, environment: environment))
    }
} catch let error as UsageError {
    let hint = error.command.map { "gsp \($0) --help" } ?? "gsp --help"
    fail("\(error.message)\nRun '\(hint)' for usage.", code: 64)
} catch {
    fail("error: \(error)", code: 1)
}
