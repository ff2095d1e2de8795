import GSPCore
import GSPPipeline
import GSPStore

extension Replica {
    /// Every change this replica applied, in the order it applied them.
    public func allChanges() throws -> [Change] {
        try database.query("SELECT tbl, row, field, kind, vi, vt, hlc, node, prev FROM history ORDER BY id") { r in
            try Replica.readChange(r, at: 0)
        }
    }

    /// The users of every node this replica has heard of.
    public func nodeDirectory() throws -> [NodeID: String] {
        Dictionary(try database.query("SELECT node, user FROM nodes") { r in (try r.node(0), r.text(1)) },
                   uniquingKeysWith: { a, _ in a })
    }

    /// A managers' report over what this replica holds, computed as the server computes it,
    /// with notes saying what a replica's history covers (`ReportName.replicaNotes`).
    public func report(_ name: ReportName, options: ReportOptions = ReportOptions()) throws -> ReportTable {
        let data = PipelineData(history: try allChanges(), options: options, now: Int64(wallClock.now()), users: try nodeDirectory())
        var table = Reports.run(name, data: data, options: options)
        table.notes += name.replicaNotes(options)
        return table
    }
}
