import GSPCore
import GSPClient

extension Importer {
    /// Moves the records a rep may not import (deals owned by someone else, and their KPIs, time
    /// cards and activities) from `plan.records` to `plan.problems`, each with its line and why,
    /// so they are refused before anything reaches the pending log (`--skip-bad` imports the rest).
    /// A replica that never logged in cannot know its role: a note then says how many deals name
    /// another owner, which a rep's server would refuse.
    static func keepWritableRecords(_ plan: inout ImportPlan, replica: Replica) throws {
        let role = try replica.role()
        if role == nil {
            let others = plan.records.filter { $0.table == .deals && $0.writes.contains { $0.field == "owner" && $0.value != .text(replica.user) } }.count
            if others > 0 {
                plan.notes.append("\(others) deal(s) are owned by others; this replica has not logged in, so gsp cannot tell whether you are a rep, "
                                  + "whose sync the server would refuse for them: log in before importing to have them checked now")
            }
        }
        guard role == "rep" else { return }
        var dealOwners: [String: [FieldWrite]] = [:]
        for record in plan.records where record.table == .deals {
            dealOwners[record.row.lowercased] = record.writes.filter { $0.field == "owner" }
                .map { FieldWrite(.deals, record.row, "owner", $0.value) }
        }
        var kept: [ImportRecord] = [], refused: [ImportError] = []
        for record in plan.records {
            var writes = record.writes.map { FieldWrite(record.table, record.row, $0.field, $0.value) }
            if record.table != .deals, let deal = record.writes.last(where: { $0.field == Schema.dealRef.name })?.value.textValue {
                writes += dealOwners[deal.lowercased()] ?? []
            }
            if let reason = try replica.scopeRefusal(writes) {
                refused.append(problem(at: record.origin, reason + "; or ask a manager to import this file"))
            } else {
                kept.append(record)
            }
        }
        plan.records = kept
        plan.problems += refused
    }

    /// Moves the records holding a value no sync could carry (a cell over the wire's string
    /// limit, see `ValueLimits`) to `plan.problems`, each with its line: imported, such a change
    /// would stay pending forever.
    static func keepCarriableRecords(_ plan: inout ImportPlan) {
        var kept: [ImportRecord] = []
        for record in plan.records {
            let problem = record.writes.lazy.compactMap { ValueLimits.problem(table: record.table.rawValue, field: $0.field, value: $0.value) }.first
            if let problem {
                plan.problems.append(Self.problem(at: record.origin, problem))
            } else {
                kept.append(record)
            }
        }
        plan.records = kept
    }

    /// An `ImportError` for a record's origin ("file.csv:17", or "generated deal 3").
    static func problem(at origin: String, _ reason: String) -> ImportError {
        if let colon = origin.lastIndex(of: ":"), let line = Int(origin[origin.index(after: colon)...]) {
            return ImportError(file: String(origin[..<colon]), line: line, reason: reason)
        }
        return ImportError(file: origin, line: 0, reason: reason)
    }
}
