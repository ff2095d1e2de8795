import Foundation
import GSPCore
import GSPClient

/// GSP's own CSV layout, written by `gsp export csv` and read back by `gsp import csv`:
/// `gsp_table,gsp_id,<field>,...`, one row per replicated row, values as the CLI writes
/// them (money "45000.00 USD", dates YYYY-MM-DD). An empty cell is a field not set.
/// Text that a spreadsheet would run as a formula (= + - @ tab CR) or that starts with an
/// apostrophe gets one leading apostrophe, removed again on import, so the round trip is exact.
public enum NativeCSV {
    public static let tableColumn = "gsp_table"
    public static let idColumn = "gsp_id"

    /// All rows of one table, with every field any of them has (known fields first, in schema order).
    public static func export(_ table: Schema.Table, rows: [RowID: [String: Value]]) -> String {
        let known = Schema.fields(of: table).map(\.name)
        let extra = Set(rows.values.flatMap(\.keys)).subtracting(known).sorted()
        let columns = known + extra
        var out = CSV.line([tableColumn, idColumn] + columns) + "\r\n"
        for (id, fields) in rows.sorted(by: { $0.key.lowercased < $1.key.lowercased }) {
            out += CSV.line([table.rawValue, id.lowercased] + columns.map { fields[$0].map(cell) ?? "" }) + "\r\n"
        }
        return out
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
                var writes: [TimedWrite] = []
                for column in t.header.dropFirst(2) {
                    let text = try t.value(column, in: r)
                    if text.isEmpty { continue }
                    // A field this version does not know comes back as text.
                    let field = Schema.field(column, in: table) ?? Schema.Field(column, .text, "")
                    do {
                        writes.append(TimedWrite(column, try FieldParser.parse(unguard(text, kind: field.kind), for: field), day: now))
                    } catch { throw fail("\(column): \(error)") }
                }
                plan.records.append(ImportRecord(table: table, row: id, origin: "\(t.file):\(r.line)", writes: writes))
            } catch {
                plan.problems.append(error)
            }
        }
        return plan
    }

    static func unguard(_ text: String, kind: ValueKind) -> String {
        kind == .text && text.hasPrefix("'") ? String(text.dropFirst()) : text
    }
}
