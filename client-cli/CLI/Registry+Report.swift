extension Registry {
    static var reportCommands: [CommandNode] { [.command(ReportCommand.self)] }
}
