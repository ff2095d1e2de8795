import GSPCore

extension ReportTable {
    /// CSV after RFC 4180, for spreadsheets and scripts: every line, the last one too, ends in
    /// CRLF; a field with a comma, quote, CR or LF is quoted, quotes doubled.
    ///
    /// Every cell is plain: money gets one column per currency ("Value (USD)", "Value (EUR)")
    /// holding the bare amount ("12500.50"); a sum past what 64 bits hold reads "over 9223..."
    /// rather than a wrong number. Percentages are bare numbers under a title ending in "(%)".
    /// A cell with nothing to show is empty.
    ///
    /// A report of one section is plain CSV. A report of several (aging, lost, PIS, forecast,
    /// pipeline) starts every line with a `section` column holding the section's title; each
    /// section begins with its own header line, whose first field is "section". No title lines,
    /// no blank lines: filter on the first column to get one table.
    ///
    /// Formula injection: a text cell (anything a user may have typed) that starts with
    /// = + - @, TAB or CR gets a leading apostrophe, so a spreadsheet shows it as text
    /// instead of running it. Numeric cells are written as they are: this module makes them
    /// from numbers, so a negative amount stays a number.
    public func csv() -> String {
        let many = sections.count > 1
        var out = ""
        func line(_ fields: [String]) { out += fields.joined(separator: ",") + "\r\n" }
        for section in sections {
            let layout = CSVLayout(section)
            let prefix = many ? [Self.csvField(section.title, neutralize: true)] : []
            line((many ? ["section"] : []) + layout.titles.map { Self.csvField($0, neutralize: true) })
            for row in section.rows { line(prefix + layout.fields(row)) }
        }
        return out
    }
}

/// How one section's columns become CSV columns: a money column splits into one per currency.
private struct CSVLayout {
    enum Slot {
        case plain(Int)
        case amount(Int, currency: String)
    }

    var slots: [Slot] = []
    var titles: [String] = []

    init(_ section: ReportSection) {
        for (i, column) in section.columns.enumerated() {
            let cells = section.rows.map { $0[i] }
            let money = cells.compactMap { cell -> MoneyTotals? in if case .money(let t) = cell { t } else { nil } }
            let currencies = Set(money.flatMap(\.byCurrency.keys)).sorted()
            if !money.isEmpty && !currencies.isEmpty {
                for currency in currencies {
                    slots.append(.amount(i, currency: currency))
                    titles.append("\(column.title) (\(currency))")
                }
                continue
            }
            slots.append(.plain(i))
            let percent = cells.contains { cell in
                switch cell {
                case .percent, .ratio: true
                default: false
                }
            }
            titles.append(percent && !column.title.contains("%") ? column.title + " (%)" : column.title)
        }
    }

    func fields(_ row: [Cell]) -> [String] {
        slots.map { slot in
            switch slot {
            case .amount(let i, let currency):
                guard case .money(let totals) = row[i], let units = totals.byCurrency[currency] else { return "" }
                let text = Money(minorUnits: units, currency: currency).amountText
                return totals.overflowed.contains(currency) ? "over " + text : text
            case .plain(let i):
                let cell = row[i]
                switch cell {
                case .text(let s): return ReportTable.csvField(Cell.shown(s), neutralize: true)
                case .percent(let p): return p.map { Cell.format($0, decimals: 1) } ?? ""
                case let .ratio(part, whole): return whole == 0 ? "" : Cell.format(Cell.rate(part, whole), decimals: 1)
                default: return ReportTable.csvField(cell.isBlank ? "" : cell.text, neutralize: false)
                }
            }
        }
    }
}
