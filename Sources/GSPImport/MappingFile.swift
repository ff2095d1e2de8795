import Foundation
import GSPCore
import GSPClient

/// A small JSON file that maps another CRM's deal export onto GSP deals:
///
///     { "source": "acme-crm", "id": "Opportunity ID",
///       "fields": { "title": "Name", "account": "Account", "owner": "Owner", "value": "Amount" },
///       "currency": "USD", "date_format": "MM/DD/YYYY",
///       "stage": { "column": "Stage", "values": { "Prospecting": "bau", "Closed Won": "won", "Closed Lost": "lost" } },
///       "created": "Created Date", "closed": "Close Date" }
///
/// Stage values map to a stage id, or to `won` / `lost` (outcomes). See docs/import.md.
public struct MappingFile: Decodable, Sendable {
    public var source: String
    public var id: String
    public var fields: [String: String]
    public var currency: String?
    public var date_format: String?
    public var stage: StageMapping?
    public var created: String?
    public var closed: String?
    /// The CSV delimiter (",", ";", "tab"); detected from the header when absent.
    public var delimiter: String?
    /// "," for exports that write amounts as "12.500,50"; "." (the default) for "12,500.50".
    public var decimal_separator: String?

    /// The date formats `date_format` accepts.
    public static let dateFormats = ["YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "DD.MM.YYYY"]

    public struct StageMapping: Decodable, Sendable {
        public var column: String
        public var values: [String: String]
    }

    public static func load(_ url: URL) throws(ImportError) -> MappingFile {
        let name = "mapping file \(url.path)"
        func refuse(_ reason: String) -> ImportError { ImportError(file: name, line: 0, reason: reason) }
        let data = try SourceFile.read(url, what: "mapping file")
        let mapping: MappingFile
        do { mapping = try JSONDecoder().decode(MappingFile.self, from: data) } catch {
            throw refuse(MappingProblem.explain(error))
        }
        for field in mapping.fields.keys.sorted() where Schema.field(field, in: .deals) == nil {
            throw refuse("unknown deal field '\(field)' in \"fields\"; known fields: \(Schema.dealFields.map(\.name).joined(separator: ", "))")
        }
        guard mapping.fields["title"] != nil else {
            throw refuse("\"fields\" names no column for the deal's title: add \"title\": \"COLUMN\"")
        }
        for target in (mapping.stage?.values.values).map(Array.init) ?? [] where target != "won" && target != "lost" && Stage(rawValue: target) == nil {
            throw refuse("stage value '\(target)' is neither a stage id (\(Stage.allCases.map(\.rawValue).joined(separator: ", "))) nor won/lost")
        }
        if let format = mapping.date_format, !dateFormats.contains(format) {
            throw refuse("date_format '\(format)' is not one of the accepted formats: \(dateFormats.joined(separator: ", "))")
        }
        if let d = mapping.decimal_separator, d != ".", d != "," {
            throw refuse("decimal_separator '\(d)' is not \".\" (12,500.50, the default) or \",\" (12.500,50)")
        }
        if let d = mapping.delimiter, CSV.delimiter(named: d) == nil {
            throw refuse("delimiter '\(d)' is not one of: comma (\",\"), semicolon (\";\") or tab")
        }
        return mapping
    }

    /// The delimiter byte the mapping names, else nil (detect it).
    public var delimiterByte: UInt8? { delimiter.flatMap(CSV.delimiter(named:)) }

    /// Maps every row of a CSV export; rows that do not fit become problems with their line.
    /// A row with no date of its own is stamped on `importDay`.
    public func plan(_ table: CSVTable, importDay: Day = Day(Date())) throws(ImportError) -> ImportPlan {
        try table.require([id] + fields.sorted { $0.key < $1.key }.map(\.value) + [stage?.column, created, closed].compactMap { $0 })
        var plan = ImportPlan()
        var ids = SourceIDs()
        var undated = 0
        for record in table.records {
            do throws(ImportError) {
                // Claimed before the row is read: a bad row's id still makes a later row with it a duplicate.
                let sourceID = try table.value(id, in: record)
                if !sourceID.isEmpty { try ids.claim(sourceID, line: record.line, file: table.file) }
                let deal = try deal(record, in: table, importDay: importDay)
                if deal.undated { undated += 1 }
                plan.records.append(deal.record)
            } catch { plan.problems.append(error) }
        }
        if undated > 0 {
            let why = created == nil && closed == nil ? "the mapping names no \"created\" or \"closed\" column" : "their date cells are empty"
            plan.notes.append("\(undated) deal(s) have no source date (\(why)): their fields are stamped at the import, \(importDay)")
        }
        return plan
    }

    func deal(_ r: CSVRecord, in t: CSVTable, importDay: Day) throws(ImportError) -> (record: ImportRecord, undated: Bool) {
        func fail(_ reason: String) -> ImportError { ImportError(file: t.file, line: r.line, reason: reason) }
        let sourceID = try t.value(id, in: r)
        guard !sourceID.isEmpty else { throw fail("empty \(id): every row needs the source's id") }
        let createdDay = try created.map { c throws(ImportError) in try parseDay(try t.value(c, in: r), column: c, fail) } ?? nil
        let closedDay = try closed.map { c throws(ImportError) in try parseDay(try t.value(c, in: r), column: c, fail) } ?? nil
        let day = createdDay ?? closedDay ?? importDay
        var writes: [TimedWrite] = []
        for (field, column) in fields.sorted(by: { $0.key < $1.key }) where !Self.lostFields.contains(field) {
            let text = try t.value(column, in: r)
            // A deal needs a title, as 'gsp deal new' does; other empty cells leave the field unset.
            if text.isEmpty && field == "title" { throw fail("\(column) is empty: every deal needs a title") }
            if text.isEmpty { continue }
            let schemaField = Schema.field(field, in: .deals)!
            let typed = try value(text, kind: schemaField.kind, column: column, fail)
            // The checks 'gsp deal set' makes (no negative amounts, known stages and models), so an
            // import cannot store what no command would.
            do { try FieldParser.check(typed, for: schemaField) } catch { throw fail("\(column): \(error.message)") }
            writes.append(TimedWrite(field, typed, day: day))
        }
        writes.append(TimedWrite("stage", .text(Stage.businessAsUsual.rawValue), day: day))
        writes.append(TimedWrite("outcome", .text(Outcome.open.rawValue), day: day))
        if let stage {
            let text = try t.value(stage.column, in: r)
            guard let target = stage.values[text] else {
                throw fail("\(stage.column) '\(text)' is not in the mapping's stage values (\(stage.values.keys.sorted().joined(separator: ", ")))")
            }
            let end = closedDay ?? day
            switch target {
            case "won":
                writes += [TimedWrite("stage", .text(Stage.mainContract.rawValue), day: end, order: 1),
                           TimedWrite("stage_override", .text("imported from \(source): won in the source"), day: end, order: 1),
                           TimedWrite("outcome", .text(Outcome.won.rawValue), day: end, order: 1)]
            case "lost":
                // Lost at the stage the export names (it reached that stage first), else at bau.
                let lostAt = try lostStage(r, in: t, fail) ?? .businessAsUsual
                if lostAt != .businessAsUsual {
                    writes += [TimedWrite("stage", .text(lostAt.rawValue), day: day, order: 1),
                               TimedWrite("stage_override", .text("imported from \(source)"), day: day, order: 1)]
                }
                let reason = try fields["lost_reason"].map { c throws(ImportError) in try t.value(c, in: r) } ?? ""
                writes += [TimedWrite("outcome", .text(Outcome.lost.rawValue), day: end, order: 2),
                           TimedWrite("lost_stage", .text(lostAt.rawValue), day: end, order: 2),
                           TimedWrite("lost_reason", .text(reason.isEmpty ? "lost in \(source)" : reason), day: end, order: 2)]
            default:
                if target != Stage.businessAsUsual.rawValue {
                    writes.append(TimedWrite("stage", .text(target), day: day, order: 1))
                    writes.append(TimedWrite("stage_override", .text("imported from \(source)"), day: day, order: 1))
                }
            }
        }
        return (ImportRecord(table: .deals, row: NameUUID.make(name: "\(source):deals:\(sourceID)"), origin: "\(t.file):\(r.line)", writes: writes),
                createdDay == nil && closedDay == nil)
    }

    /// Deal fields read only for a row whose stage maps to `lost` (see `lostStage`).
    static let lostFields: Set<String> = ["lost_stage", "lost_reason"]

    /// The stage a lost row was lost at, from the column `fields` maps to `lost_stage`: a source
    /// stage listed in `stage.values` (mapped to its stage id) or a GSP stage id; nil when the
    /// mapping names no such column or the cell is empty.
    func lostStage(_ r: CSVRecord, in t: CSVTable, _ fail: (String) -> ImportError) throws(ImportError) -> Stage? {
        guard let column = fields["lost_stage"] else { return nil }
        let text = try t.value(column, in: r)
        if text.isEmpty { return nil }
        if let mapped = stage?.values[text], let stage = Stage(rawValue: mapped) { return stage }
        if let stage = Stage(rawValue: text) { return stage }
        let listed = (stage?.values.filter { Stage(rawValue: $0.value) != nil }.keys.sorted() ?? []) + Stage.allCases.map(\.rawValue)
        throw fail("\(column) '\(text)' names no stage: write a source stage the mapping lists or a stage id (\(listed.joined(separator: ", ")))")
    }

    func value(_ text: String, kind: ValueKind, column: String, _ fail: (String) -> ImportError) throws(ImportError) -> Value {
        switch kind {
        case .money:
            let decimalComma = decimal_separator == ","
            // "12.500,50" read as "12,500.50": one parser, whichever convention the export uses.
            let usual = decimalComma ? String(text.map { $0 == "," ? "." : $0 == "." ? "," : $0 }) : text
            if let m = try? Money.parse(usual) { return .money(m) }
            guard let plain = Money.plainAmount(usual) else {
                throw fail(decimalComma
                    ? "\(column): '\(text)' has a point that does not separate thousands: the mapping reads ',' as the decimal separator (12.500,50); if the export writes 12,500.50, remove \"decimal_separator\""
                    : "\(column): '\(text)' has a comma that does not separate thousands: the mapping reads '.' as the decimal point (12,500.50); if the export writes 12.500,50, add \"decimal_separator\": \",\" to the mapping")
            }
            guard let currency, let minor = Money.parseDecimal(plain, digits: Money.minorDigits(of: currency)) else {
                throw fail("\(column): '\(text)' is not an amount\(currency == nil ? " (and the mapping names no default currency)" : "")")
            }
            return .money(Money(minorUnits: minor, currency: currency))
        case .date:
            guard let d = try parseDay(text, column: column, fail) else { return .null }
            return .date(d)
        case .integer:
            guard let v = Int64(text) else { throw fail("\(column): '\(text)' is not a whole number") }
            return .integer(v)
        case .real:
            guard let v = Double(text), v.isFinite else { throw fail("\(column): '\(text)' is not a number") }
            return .real(v)
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw fail("\(column): '\(text)' is not true or false")
            }
        case .text, .null:
            return .text(text)
        }
    }

    func parseDay(_ text: String, column: String, _ fail: (String) -> ImportError) throws(ImportError) -> Day? {
        if text.isEmpty { return nil }
        let format = date_format ?? "YYYY-MM-DD"
        let digits = text.prefix(10).split(whereSeparator: { !$0.isNumber }).map(String.init)
        var iso = String(text.prefix(10))
        if digits.count == 3 {
            switch format {
            case "MM/DD/YYYY": iso = "\(digits[2])-\(pad(digits[0]))-\(pad(digits[1]))"
            case "DD/MM/YYYY", "DD.MM.YYYY": iso = "\(digits[2])-\(pad(digits[1]))-\(pad(digits[0]))"
            default: break
            }
        }
        do { return try Day.parse(iso) } catch { throw fail("\(column): '\(text)' is not a date in \(format)") }
    }

    func pad(_ s: String) -> String { s.count == 1 ? "0" + s : s }
}
