// Extension point for `gsp report ...`: the pipeline engineer replaces this file with a
// `.group(name: "report", ...)` of their commands (in files of their own).
extension Registry {
    static var reportCommands: [CommandNode] { [] }
}
