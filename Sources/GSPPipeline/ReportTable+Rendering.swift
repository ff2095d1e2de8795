import GSPCore

extension ReportTable {
    /// Aligned plain text for a terminal. Control characters in cells are shown as "?",
    /// so a crafted title cannot send escape sequences to a manager's terminal.
    public func text() -> String {
        var out = title + (asOf.map { " (as of \(Cell.formatMoment($0)) UTC)" } ?? "") + "\n"
        for note in notes { out += "  " + Self.printable(note) + "\n" }
        for section in sections {
            out += "\n" + Self.printable(section.title) + "\n"
            let header = section.columns.map { Self.printable($0.title) }
            let body = section.rows.map { $0.map { Self.printable($0.text) } }
            var widths = header.map(\.count)
            for row in body { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String], numeric: [Bool]) -> String {
                cells.enumerated().map { i, cell in
                    let pad = String(repeating: " ", count: widths[i] - cell.count)
                    return numeric[i] ? pad + cell : cell + pad
                }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            }
            let numericColumns = section.columns.indices.map { i in section.rows.contains { $0[i].isNumeric } }
            out += line(header, numeric: numericColumns)
            out += line(widths.map { String(repeating: "-", count: $0) }, numeric: numericColumns)
            if body.isEmpty { out += "(none)\n" }
            for row in body { out += line(row, numeric: numericColumns) }
        }
        return out
    }

    static func csvField(_ text: String, neutralize: Bool) -> String {
        var s = text
        if neutralize, let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { s = "'" + s }
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// JSON: `{"title", "as_of", "notes", "sections": [{"title", "columns", "rows": [{key: value}]}]}`.
    /// Money cells are arrays of `{"amount": "123.45", "currency": "USD"}` (exact decimal text),
    /// percentages and numbers are JSON numbers (or null), dates and moments ISO text.
    public func json() -> String {
        var out = "{\"title\":" + Self.jsonString(title)
        out += ",\"as_of\":" + (asOf.map { Self.jsonString(Self.isoMoment($0)) } ?? "null")
        out += ",\"notes\":[" + notes.map(Self.jsonString).joined(separator: ",") + "]"
        out += ",\"sections\":[" + sections.map { section in
            var s = "{\"title\":" + Self.jsonString(section.title)
            s += ",\"columns\":[" + section.columns.map { "{\"key\":\(Self.jsonString($0.key)),\"title\":\(Self.jsonString($0.title))}" }.joined(separator: ",") + "]"
            s += ",\"rows\":[" + section.rows.map { row in
                "{" + zip(section.columns, row).map { Self.jsonString($0.key) + ":" + Self.jsonValue($1) }.joined(separator: ",") + "}"
            }.joined(separator: ",") + "]}"
            return s
        }.joined(separator: ",") + "]}"
        return out
    }

    static func jsonValue(_ cell: Cell) -> String {
        switch cell {
        case .empty: "null"
        case .text(let s): jsonString(Cell.shown(s))
        case .integer(let n): String(n)
        case .money(let totals):
            "[" + totals.amounts.map {
                "{\"amount\":\(jsonString($0.amountText)),\"currency\":\(jsonString($0.currency))"
                    + (totals.overflowed.contains($0.currency) ? ",\"overflow\":true}" : "}")
            }.joined(separator: ",") + "]"
        case let .number(x, decimals): x.isFinite ? Cell.format(x, decimals: decimals) : "null"
        case .percent(let p): p.map { $0.isFinite ? Cell.format($0, decimals: 1) : "null" } ?? "null"
        case let .ratio(part, whole): whole == 0 ? "null" : Cell.format(Cell.rate(part, whole), decimals: 1)
        case .date(let d): jsonString(d.description)
        case .moment(let ms): jsonString(isoMoment(ms))
        }
    }

    static func isoMoment(_ ms: Int64) -> String {
        Cell.formatMoment(ms).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    static func jsonString(_ s: String) -> String { JSONText.quoted(s, htmlSafe: true) }

    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map {
            ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) ? "?" : $0
        }))
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
