// Extension point for `gsp import csv ...`: the import engineer replaces this file with a
// `.group(name: "import", ...)` of their commands (in files of their own).
extension Registry {
    static var importCommands: [CommandNode] { [] }
}
