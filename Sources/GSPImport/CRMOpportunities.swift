import Foundation
import GSPCore

/// The built-in preset for the public "CRM + Sales + Opportunities" sample layout:
/// `sales_pipeline.csv`, with `sales_teams.csv`, `accounts.csv` and `products.csv` beside it.
///
/// Stage mapping (documented in docs/import.md):
/// - every deal is created in `bau` on its engage date (a Prospecting row has no date in
///   the source: it is created on the latest date found in the file);
/// - Engaging: enters `poc` on the engage date (poc_start);
/// - Won: `poc` on the engage date, then `main_contract` signed on the close date with
///   close_value as a one-time charge for the product (outcome won); the source does not
///   track KPIs, PIS or evaluation, so the move records a gate override saying so;
/// - Lost: outcome lost on the close date, at the stage it had reached (`poc`).
public enum CRMOpportunities {
    public static let source = "crm-opportunities"
    static let pipelineColumns = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date", "close_value"]
    public static let currency = "USD"
    public static let overrideReason = "imported from CRM: the source does not track KPI, PIS contract or evaluation"
    public static let lostReason = "lost in the source CRM (no reason recorded)"

    /// Whether a header is this layout's pipeline header (whatever the file is called).
    public static func matches(_ table: CSVTable) -> Bool {
        pipelineColumns.allSatisfy(table.header.contains)
    }

    /// Maps the pipeline file (and the team, account and product files beside it when present).
    public static func plan(pipeline url: URL) throws(ImportError) -> ImportPlan {
        try plan(pipeline: try CSVTable(contentsOf: url), folder: url.deletingLastPathComponent())
    }

    /// Maps a read pipeline file; the companion files are looked for in `folder`, and each one
    /// missing is named in the plan's notes with what the deals will lack.
    public static func plan(pipeline: CSVTable, folder: URL) throws(ImportError) -> ImportPlan {
        try pipeline.require(pipelineColumns)
        var plan = ImportPlan()
        func companion(_ name: String, lacking: String) throws(ImportError) -> CSVTable? {
            let table = try optionalTable(folder.appendingPathComponent(name))
            if table == nil { plan.notes.append("\(name) is not beside \(pipeline.file): \(lacking)") }
            return table
        }
        let teams = try companion("sales_teams.csv", lacking: "deals will have no manager and no region")
        let accounts = try companion("accounts.csv", lacking: "no accounts are imported (sector, country)")
        let products = try companion("products.csv", lacking: "deals will have no value (the product's list price)")

        var team: [String: (manager: String, region: String)] = [:]
        if let teams {
            for r in teams.records {
                do throws(ImportError) {
                    team[try teams.value("sales_agent", in: r)] = (try teams.value("manager", in: r), try teams.value("regional_office", in: r))
                } catch { plan.problems.append(error) }
            }
        }
        var productNames: [String: (name: String, price: String)] = [:]
        if let products {
            for r in products.records {
                if let name = try? products.value("product", in: r), let price = try? products.value("sales_price", in: r) {
                    productNames[productKey(name)] = (name, price)
                }
            }
        }
        let lastDay = latestDay(in: pipeline)
        if let accounts { plan.records += accountRecords(accounts, firstDay: lastDay, problems: &plan.problems) }

        var ids = SourceIDs()
        for record in pipeline.records {
            do throws(ImportError) {
                // Claimed before the row is read: a bad row's id still makes a later row with it a duplicate.
                let sourceID = try pipeline.value("opportunity_id", in: record)
                if !sourceID.isEmpty { try ids.claim(sourceID, line: record.line, file: pipeline.file) }
                let deal = try deal(record, in: pipeline, team: team, products: productNames, fallbackDay: lastDay)
                plan.records.append(deal)
            } catch {
                plan.problems.append(error)
            }
        }
        return plan
    }

    static func optionalTable(_ url: URL) throws(ImportError) -> CSVTable? {
        FileManager.default.fileExists(atPath: url.path) ? try CSVTable(contentsOf: url) : nil
    }

    /// "GTXPro" and "GTX Pro" name the same product.
    static func productKey(_ name: String) -> String { name.lowercased().filter { !$0.isWhitespace } }

    static func latestDay(in table: CSVTable) -> Day {
        var latest = Day(year: 1970, month: 1, day: 1)
        for r in table.records {
            for column in ["engage_date", "close_date"] {
                if let text = try? table.value(column, in: r), let d = try? Day.parse(text), d > latest { latest = d }
            }
        }
        return latest
    }

    public static func dealID(_ opportunity: String) -> RowID { NameUUID.make(name: "\(source):deals:\(opportunity)") }
    public static func accountID(_ name: String) -> RowID { NameUUID.make(name: "\(source):accounts:\(name)") }

    static func accountRecords(_ t: CSVTable, firstDay: Day, problems: inout [ImportError]) -> [ImportRecord] {
        t.records.compactMap { r in
            do throws(ImportError) {
                let name = try t.value("account", in: r)
                guard !name.isEmpty else { throw ImportError(file: t.file, line: r.line, reason: "empty account name") }
                var writes = [TimedWrite("name", .text(name), day: firstDay)]
                for (column, field) in [("sector", "sector"), ("office_location", "country")] {
                    let v = try t.value(column, in: r)
                    if !v.isEmpty { writes.append(TimedWrite(field, .text(v), day: firstDay)) }
                }
                return ImportRecord(table: .accounts, row: accountID(name), origin: "\(t.file):\(r.line)", writes: writes)
            } catch {
                problems.append(error)
                return nil
            }
        }
    }
}
