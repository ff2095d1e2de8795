import GSPCore

/// The managers' dashboard: one self-contained HTML page (no scripts, no external assets)
/// that reads on a laptop and a phone. Every string from the data is HTML-escaped.
public enum Dashboard {
    /// The dashboard page: the pipeline funnel as an inline SVG chart, then the pipeline,
    /// forecast, conversion, aging and conflicts tables.
    public static func render(data: PipelineData, options: ReportOptions = ReportOptions(),
                              title: String = "GSP pipeline") -> String {
        let pipeline = PipelineReport(data: data, groupBy: nil, probabilities: options.probabilities)
        let grouped = options.groupBy.map { PipelineReport(data: data, groupBy: $0, probabilities: options.probabilities) }
        // Per-deal lists are cut to the first `listLimit` rows, with a pointer to the full report.
        let tables: [(ReportTable, seeAlso: String?)] = [
            ((grouped ?? pipeline).table(asOf: data.asOf), nil),
            (ForecastReport(data: data, groupBy: options.groupBy, probabilities: options.probabilities).table(asOf: data.asOf), nil),
            (ConversionReport(data: data).table(asOf: data.asOf), nil),
            (AgingReport(data: data, stalledDays: options.stalledDays).table(data: data), "gsp report aging"),
            (ConflictsReport(data: data).table(data: data), "gsp report conflicts"),
        ]
        let when = data.asOf.map { "as of " + Cell.formatMoment($0) + " UTC" }
            ?? "live, at " + Cell.formatMoment(data.moment) + " UTC"
        var body = "<header><h1>\(escape(title))</h1><p class=\"when\">\(escape(when))</p>\n"
        body += asOfForm(options) + "</header>\n"
        body += "<section><h2>Funnel</h2>\n" + funnel(pipeline) + "</section>\n"
        for (table, seeAlso) in tables { body += html(table, limit: seeAlso.map { _ in listLimit }, seeAlso: seeAlso ?? "") }
        return page(title: title, body: body)
    }

    /// Rows a per-deal list (stalled deals, conflicts) shows on the dashboard.
    public static let listLimit = 25

    /// The dashboard for a signed-in manager whose request could not be answered (a malformed
    /// option): the message, the as-of form to try again and a link to the live page.
    public static func problemPage(error: String, options: ReportOptions = ReportOptions(),
                                   title: String = "GSP pipeline") -> String {
        var body = "<header><h1>\(escape(title))</h1>\n"
        body += "<p class=\"error\" role=\"alert\">\(escape(error))</p>\n"
        body += asOfForm(options) + "</header>\n"
        return page(title: title, body: body)
    }

    /// A plain GET form (no script) choosing the as-of day; the grouping chosen is kept.
    static func asOfForm(_ options: ReportOptions) -> String {
        var form = "<form class=\"asof\" method=\"get\" action=\"/dashboard\">"
        form += "<label for=\"as_of\">As of</label> "
        form += "<input id=\"as_of\" name=\"as_of\" type=\"date\" value=\"\(escape(options.asOf?.description ?? ""))\"> "
        if let group = options.groupBy { form += "<input type=\"hidden\" name=\"group_by\" value=\"\(escape(group.rawValue))\">" }
        form += "<button type=\"submit\">Show</button> <a href=\"/dashboard\">Live</a></form>\n"
        return form
    }

    /// The sign-in page: a token field posted to /dashboard/login; `error` is shown escaped.
    public static func loginPage(error: String? = nil) -> String {
        var body = "<main class=\"login\"><h1>GSP pipeline</h1>\n"
        if let error { body += "<p class=\"error\" role=\"alert\">\(escape(error))</p>\n" }
        body += """
        <form method="post" action="/dashboard/login">
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
        <button type="submit">Sign in</button>
        </form>
        </main>

        """
        return page(title: "Sign in - GSP pipeline", body: body)
    }

    /// Escapes the five characters that matter in HTML text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// One report as HTML: its title, notes and tables; numeric columns aligned right. With a
    /// `limit`, a section shows its first rows and says how many more `seeAlso` lists.
    public static func html(_ table: ReportTable, limit: Int? = nil, seeAlso: String = "") -> String {
        var out = "<section><h2>\(escape(table.title))</h2>\n"
        for note in table.notes { out += "<p class=\"note\">\(escape(note))</p>\n" }
        for section in table.sections {
            if table.sections.count > 1 { out += "<h3>\(escape(section.title))</h3>\n" }
            if section.rows.isEmpty { out += "<p class=\"none\">None.</p>\n"; continue }
            let numeric = section.columns.indices.map { i in section.rows.contains { $0[i].isNumeric } }
            out += "<div class=\"scroll\"><table><thead><tr>"
            for (i, column) in section.columns.enumerated() {
                out += "<th\(numeric[i] ? " class=\"num\"" : "")>\(escape(column.title))</th>"
            }
            out += "</tr></thead><tbody>\n"
            let shown = limit.map { Array(section.rows.prefix($0)) } ?? section.rows
            for row in shown {
                out += "<tr>" + row.enumerated().map { i, cell in
                    "<td\(numeric[i] ? " class=\"num\"" : "")>\(cellHTML(cell))</td>"
                }.joined() + "</tr>\n"
            }
            out += "</tbody></table></div>\n"
            if shown.count < section.rows.count {
                out += "<p class=\"more\">and \(section.rows.count - shown.count) more (see \(escape(seeAlso)))</p>\n"
            }
        }
        return out + "</section>\n"
    }

    /// A cell's escaped text; amounts in several currencies go one per line, so money columns
    /// stay narrow enough for a phone.
    static func cellHTML(_ cell: Cell) -> String {
        guard case .money(let totals) = cell, totals.amounts.count > 1 else { return escape(cell.text) }
        return totals.amounts.map { escape(totals.text($0)) }.joined(separator: "<br>")
    }

    /// The funnel: one bar per stage, its length the open deal count, labelled with count and value.
    static func funnel(_ report: PipelineReport) -> String {
        let rows = report.rows
        let most = max(rows.map(\.count).max() ?? 0, 1)
        let rowHeight = 34, labelWidth = 130, barSpace = 470, width = labelWidth + barSpace
        let height = rows.count * rowHeight + 8
        var svg = "<svg class=\"funnel\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"Open deals per stage\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for (i, row) in rows.enumerated() {
            let y = i * rowHeight + 4
            let barWidth = row.count == 0 ? 0 : max(4, row.count * barSpace / most)
            let x = labelWidth + (barSpace - barWidth) / 2  // centred bars make the funnel shape
            let label = "\(row.count) deal\(row.count == 1 ? "" : "s") · \(Cell.money(row.total).text)"
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 20)\" text-anchor=\"end\" class=\"stage\">\(escape(row.stage.title))</text>"
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(rowHeight - 6)\" rx=\"3\" class=\"bar\"><title>\(escape(row.stage.title)): \(escape(label))</title></rect>"
            svg += "<text x=\"\(labelWidth + barSpace / 2)\" y=\"\(y + 20)\" text-anchor=\"middle\" class=\"label\">\(escape(label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let style = """
    :root { color-scheme: light dark; --bar: #3b7dd8; --rule: #8884; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 12px 16px 40px; }
    h1 { font-size: 1.5em; margin: 0.3em 0 0; } h2 { font-size: 1.2em; margin: 1.6em 0 0.4em; } h3 { font-size: 1em; margin: 1em 0 0.3em; }
    .when, .note { color: #777; margin: 0.2em 0; font-size: 0.9em; }
    .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
    table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
    th.num, td.num { text-align: right; }
    svg.funnel { width: 100%; height: auto; max-width: 760px; display: block; }
    svg .bar { fill: var(--bar); } svg text { font: 13px system-ui, sans-serif; fill: currentColor; }
    svg .label { paint-order: stroke; stroke: Canvas; stroke-width: 3px; }
    .login { max-width: 340px; margin: 12vh auto; } .login label { display: block; margin: 1em 0 0.3em; }
    .login input, .login button { font: inherit; width: 100%; padding: 8px; box-sizing: border-box; }
    .login button { margin-top: 1em; } .error { color: #c0392b; }
    .asof { margin: 0.6em 0; } .asof input, .asof button { font: inherit; padding: 3px 6px; } .more { font-style: italic; }
    @media (max-width: 600px) { body { font-size: 14px; padding: 8px; } th, td { padding: 3px 5px; } }
    """
}
