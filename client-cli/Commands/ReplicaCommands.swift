import Foundation
import GSPClient
import GSPCore

struct HistoryCommand: Command {
    static let spec = CommandSpec(
        name: "history", summary: "every change to a deal and its KPIs, time cards and activities",
        arguments: [dealArgument], options: [.value("field", "F", "only this field"), .json])

    let deal: String, field: String?
    init(_ arguments: ParsedArguments) throws(UsageError) {
        deal = try arguments.positional(0)
        field = arguments.option("field")
    }

    /// Field names a deal's history may hold: the deal's and its child rows'.
    static let knownFields = Set([Schema.Table.deals, .kpis, .time_entries, .activities].flatMap { Schema.fields(of: $0).map(\.name) })

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let id = try replica.resolve(deal, in: .deals)
        let entries = try replica.dealHistory(id, field: field)
        if let field, entries.isEmpty, !HistoryCommand.knownFields.contains(field) {
            throw UsageError("unknown field '\(field)': a deal's history holds \(HistoryCommand.knownFields.sorted().joined(separator: ", "))",
                             command: "history")
        }
        if context.json {
            context.printJSON(.array(entries.map { e in .object(ChangeJSON.members(e.change) + [("user", .optional(e.user)), ("origin", .string(e.origin))]) }))
        } else {
            context.print(Format.table(["TIME", "BY", "TABLE", "ROW", "FIELD", "VALUE"], entries.map { e in
                [Format.time(e.change.hlc), e.user ?? String(e.change.node.description.prefix(8)), e.change.table, e.change.row.short,
                 e.change.field, e.change.value.description]
            }))
        }
    }
}

struct PendingCommand: Command {
    static let spec = CommandSpec(
        name: "pending", summary: "local changes not yet acknowledged by the server, and refused ones",
        options: [.value("limit", "N", "list at most N pending changes (default: 50 on a terminal, else all)"),
                  .flag("all", "list every pending change"), .json],
        discussion: "A count per table comes first; --json gives it as \"by_table\", and \"total\" counts every pending change.")

    /// How many pending changes to list; nil for all.
    let limit: Int?
    let explicit: Bool
    init(_ arguments: ParsedArguments) throws(UsageError) {
        guard let limit = try arguments.integer("limit") else {
            self.limit = nil
            explicit = arguments.flag("all")
            return
        }
        guard limit >= 0, limit <= Int64(Int32.max) else { throw UsageError("--limit takes a whole number from 0, not '\(limit)'", command: "pending") }
        guard !arguments.flag("all") else { throw UsageError("give one of --limit and --all", command: "pending") }
        self.limit = Int(limit)
        explicit = true
    }

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let shown = explicit ? limit : (context.stdoutIsTerminal ? 50 : nil)
        let total = try replica.pendingCount(), byTable = try replica.pendingCountByTable()
        let pending = try replica.pendingChanges(limit: shown ?? .max), refused = try replica.refusedChanges()
        if context.json {
            context.printJSON(.object([
                ("total", .integer(UInt64(total))),
                ("by_table", .object(byTable.map { ($0.table, .integer(UInt64($0.count))) })),
                ("pending", .array(pending.map { .object([("seq", .integer($0.seq))] + ChangeJSON.members($0.change)) })),
                ("refused", .array(refused.map { .object([("seq", .integer($0.seq)), ("code", .string($0.code)), ("reason", .string($0.reason))] + ChangeJSON.members($0.change)) })),
            ]))
            return
        }
        let counts = byTable.map { "\($0.count) \($0.table)" }.joined(separator: ", ")
        context.print("\(total) change(s) waiting for the server" + (counts.isEmpty ? "" : " (\(counts))"))
        if !pending.isEmpty {
            context.print(Format.table(["SEQ", "TIME", "TABLE", "ROW", "FIELD", "VALUE"], pending.map {
                [String($0.seq), Format.time($0.change.hlc), $0.change.table, $0.change.row.short, $0.change.field, $0.change.value.description]
            }))
        }
        if total > pending.count { context.print("... and \(total - pending.count) more; --all to list everything") }
        if !refused.isEmpty {
            context.print("\n\(refused.count) change(s) refused by the server:")
            context.print(Format.table(["SEQ", "TABLE", "ROW", "FIELD", "VALUE", "REASON"], refused.map {
                [String($0.seq), $0.change.table, $0.change.row.short, $0.change.field, $0.change.value.description, "\($0.code): \($0.reason)"]
            }))
        }
    }
}

struct StatusCommand: Command {
    static let spec = CommandSpec(name: "status", summary: "the replica, its server and what waits to sync", options: [.json],
                                  discussion: "Shows the pending count, the last sync, why the last sync failed (until one finishes) and the latest refused changes.")

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: Context) throws {
        let replica = try context.openReplica()
        let state = try replica.syncState(), status = try replica.syncStatus()
        let pending = status.pending, refused = status.refused.count
        let deals = try replica.listDeals().count
        let lastSync = state.lastSync.map { Format.time(HLC(milliseconds: $0)) }
        let lastError = state.lastErrorAt.map { Format.time(HLC(milliseconds: $0)) }
        if context.json {
            context.printJSON(.object([
                ("replica", .string(replica.path)), ("node", .string(replica.node.description)), ("user", .string(replica.user)),
                ("server", .optional(state.serverURL)), ("logged_in", .bool(state.token != nil)),
                ("epoch", .optional(state.epoch?.uuidString.lowercased())), ("cursor", .integer(state.cursor)),
                ("acknowledged", .integer(state.acknowledged)), ("pending", .integer(pending)), ("refused", .integer(refused)),
                ("deals", .integer(deals)), ("last_sync", .optional(lastSync)), ("clock_offset_ms", .integer(state.clockOffset)),
                ("last_error", .optional(state.lastError)), ("last_error_at", .optional(lastError)),
                ("ca_file", .optional(state.caFile)), ("ca_stored", .bool(state.caCertificates != nil)), ("insecure", .bool(state.insecure)),
                ("refused_changes", .array(status.refused.map { .object([("seq", .integer($0.seq)), ("code", .string($0.code)),
                                                                         ("reason", .string($0.reason))] + ChangeJSON.members($0.change)) })),
            ]))
            return
        }
        var trust = state.caCertificates != nil ? " (trusting the CA certificates stored at login\(state.caFile.map { ", read from \($0)" } ?? ""))"
            : state.caFile.map { " (trusting the CA in \($0))" } ?? ""
        if state.insecure { trust += " (plain http allowed: --insecure)" }
        context.print("""
            replica   \(replica.path)
            user      \(replica.user) (node \(replica.node))
            server    \(state.serverURL.map { $0 + trust } ?? "none: run 'gsp login --server URL --token TOKEN'")
            deals     \(deals)
            pending   \(pending) change(s)\(refused > 0 ? ", \(refused) refused (gsp pending)" : "")
            last sync \(lastSync ?? "never")
            """)
        if let error = state.lastError { context.print("last error \(lastError ?? "?"): \(error)") }
        for line in Self.refusedLines(status.refused, limit: 5) { context.print(line) }
    }

    /// One line per refused change, newest first, then how many more there are.
    static func refusedLines(_ refused: [RefusedChange], limit: Int) -> [String] {
        var lines = refused.prefix(limit).map {
            "refused   \($0.change.table) \($0.change.row.short) \($0.change.field) = \($0.change.value.abbreviated(to: Format.longestCell)): \($0.code): \($0.reason)"
        }
        if refused.count > limit { lines.append("          and \(refused.count - limit) more: see 'gsp pending'") }
        return lines
    }
}

/// The JSON members of one change (history, pending).
enum ChangeJSON {
    static func members(_ c: Change) -> [(String, JSON)] {
        [("table", .string(c.table)), ("row", .string(c.row.lowercased)), ("field", .string(c.field)), ("value", .value(c.value)),
         ("kind", .string(c.value.kind.name)), ("hlc", .string(String(c.hlc.rawValue))), ("time", .time(c.hlc)),
         ("node", .string(c.node.description)), ("prev", .string(String(c.prev.rawValue)))]
    }
}
