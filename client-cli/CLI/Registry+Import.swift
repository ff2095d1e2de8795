extension Registry {
    static var importCommands: [CommandNode] {
        [
            .group(name: "import", summary: "bring deals in from another CRM's CSV export", children: [.command(ImportCSV.self), .command(ImportGenerated.self)]),
            .group(name: "export", summary: "write the replica's rows as CSV (reads back with gsp import csv)", children: [.command(ExportCSV.self)]),
        ]
    }
}
