import Foundation
import GSPCore
import GSPClient

/// GSP's own CSV layout, written by `gsp export csv` and read back by `gsp import csv`:
/// `gsp_table,gsp_id,<field>,...`, one row per replicated row, values as the CLI writes
/// them (money "45000.00 USD", dates YYYY-MM-DD). An empty cell is a field not set.
/// Text that a spreadsheet would run as a formula (= + - @ tab CR) or that starts with an
/// apostrophe gets one leading apostrophe, removed again on import, so the round trip is exact.
/// The last column, `gsp_history`, holds each row's timeline (see `historyCell`), so an import
/// elsewhere keeps when every value was set: stage entries, times in stage, as-of reports.
public enum NativeCSV {
    public static let tableColumn = "gsp_table"
    public static let idColumn = "gsp_id"
    public static let historyColumn = "gsp_history"

    /// All rows of one table, with every field any of them has (known fields first, in schema order),
    /// then, when `timelines` is given, each row's timeline in `gsp_history`.
    public static func export(_ table: Schema.Table, rows: [RowID: [String: Value]], timelines: [RowID: [FieldStep]]? = nil) -> String {
        let known = Schema.fields(of: table).map(\.name)
        let extra = Set(rows.values.flatMap(\.keys)).subtracting(known).sorted()
        let columns = known + extra
        var out = CSV.line([tableColumn, idColumn] + columns + (timelines == nil ? [] : [historyColumn])) + "\r\n"
        for (id, fields) in rows.sorted(by: { $0.key.lowercased < $1.key.lowercased }) {
            let history = timelines.map { [historyCell($0[id] ?? [])] } ?? []
            out += CSV.line([table.rawValue, id.lowercased] + columns.map { fields[$0].map(cell) ?? "" } + history) + "\r\n"
        }
        return out
    }

    /// A row's timeline as a JSON array of `[field, value, unix milliseconds]`, oldest first per
    /// field; the value as its CSV cell would hold it (without the formula guard), null for a
    /// cleared field.
    static func historyCell(_ steps: [FieldStep]) -> String {
        let entries: [[Any]] = steps.map { [$0.field, $0.value.isNull ? NSNull() : historyText($0.value), NSNumber(value: $0.milliseconds)] }
        guard let data = try? JSONSerialization.data(withJSONObject: entries, options: [.withoutEscapingSlashes]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func historyText(_ value: Value) -> String {
        switch value {
        case .text(let t): t
        case .real(let r): "\(r)"
        default: value.description
        }
    }

    /// The writes a `gsp_history` cell records, by field; throws a reason when it is malformed.
    static func historyWrites(_ cell: String, table: Schema.Table) throws -> [String: [TimedWrite]] {
        guard let entries = try? JSONSerialization.jsonObject(with: Data(cell.utf8)) as? [[Any]] else {
            throw ImportHistoryError("\(historyColumn) is not the JSON array 'gsp export csv' writes: export again, or clear the cell to import the values as of today")
        }
        var writes: [String: [TimedWrite]] = [:]
        for entry in entries {
            guard entry.count == 3, let field = entry[0] as? String, !field.isEmpty, let ms = (entry[2] as? NSNumber)?.int64Value, ms >= 0 else {
                throw ImportHistoryError("\(historyColumn) holds a malformed entry: export again, or clear the cell")
            }
            let schemaField = Schema.field(field, in: table) ?? Schema.Field(field, .text, "")
            let value: Value
            if entry[1] is NSNull { value = .null } else {
                guard let text = entry[1] as? String else { throw ImportHistoryError("\(historyColumn): the value of \(field) is not text") }
                do { value = try FieldParser.parse(text, for: schemaField) } catch { throw ImportHistoryError("\(historyColumn): \(field): \(error)") }
            }
            writes[field, default: []].append(TimedWrite(field, value, milliseconds: UInt64(ms)))
        }
        return writes
    }

    static func cell(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .text(let t): guardFormula(t)
        case .real(let r): "\(r)"
        default: value.description
        }
    }

    static func guardFormula(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r'".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    public static func plan(_ t: CSVTable) throws(ImportError) -> ImportPlan {
        try t.require([tableColumn, idColumn])
        // A column becomes a field name everywhere (other replicas' exports included): a header
        // such as =HYPERLINK(...) would reach every manager's spreadsheet as a formula.
        for column in t.header.dropFirst(2) where column != historyColumn && !Schema.isValidName(column) {
            throw ImportError(file: t.file, line: 1, reason: "column '\(column)' is not a field name: a field name is \(Schema.nameRule); "
                              + "rename or remove the column")
        }
        var plan = ImportPlan()
        var ids = SourceIDs()
        let now = Day(Date())
        for r in t.records {
            do throws(ImportError) {
                func fail(_ reason: String) -> ImportError { ImportError(file: t.file, line: r.line, reason: reason) }
                let tableName = try t.value(tableColumn, in: r)
                guard let table = Schema.Table(rawValue: tableName) else { throw fail("unknown table '\(tableName)'") }
                let idText = try t.value(idColumn, in: r)
                guard let id = RowID(uuidString: idText) else { throw fail("'\(idText)' is not a row id (a UUID)") }
                try ids.claim("\(table.rawValue) \(id.lowercased)", line: r.line, file: t.file)
                var finals: [(String, Value)] = []
                for column in t.header.dropFirst(2) where column != historyColumn {
                    let text = try t.value(column, in: r)
                    if text.isEmpty { continue }
                    // A field this version does not know comes back as text.
                    let field = Schema.field(column, in: table) ?? Schema.Field(column, .text, "")
                    do {
                        finals.append((column, try FieldParser.parse(unguard(text, kind: field.kind), for: field)))
                    } catch { throw fail("\(column): \(error)") }
                }
                var history: [String: [TimedWrite]] = [:]
                if t.header.contains(historyColumn), case let cell = try t.value(historyColumn, in: r), !cell.isEmpty {
                    do { history = try historyWrites(cell, table: table) } catch { throw fail("\(error)") }
                }
                let writes = timeline(finals: finals, history: history, today: now)
                plan.records.append(ImportRecord(table: table, row: id, origin: "\(t.file):\(r.line)", writes: writes))
            } catch {
                plan.problems.append(error)
            }
        }
        return plan
    }

    /// A row's writes: each field's recorded history when it ends at the cell's value (a cleared
    /// field's history ends at null), else the cell's value as of `today` after any history
    /// (the cell was edited after the export, or the file has no history).
    static func timeline(finals: [(String, Value)], history: [String: [TimedWrite]], today: Day) -> [TimedWrite] {
        let cells = Dictionary(finals, uniquingKeysWith: { a, _ in a })
        let fields = finals.map(\.0) + history.keys.filter { cells[$0] == nil }.sorted()
        var writes: [TimedWrite] = []
        for field in fields {
            let final = cells[field] ?? .null, steps = history[field] ?? []
            writes += steps
            if steps.last?.value == final || (steps.isEmpty && final.isNull) { continue }
            let after = steps.last.map { $0.milliseconds + 1 } ?? 0
            writes.append(TimedWrite(field, final, milliseconds: max(UInt64(max(0, today.startMilliseconds)), after)))
        }
        return writes
    }

    static func unguard(_ text: String, kind: ValueKind) -> String {
        kind == .text && text.hasPrefix("'") ? String(text.dropFirst()) : text
    }
}

/// Why a `gsp_history` cell cannot be read.
struct ImportHistoryError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
