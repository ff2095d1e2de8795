import GSPPostgres

extension PostgresServerStore {
    /// Throws, naming what is missing and what to do, unless every table of `schema` exists with
    /// all its columns. A table renamed or dropped outside gsp-server would otherwise pass the
    /// version check and fail the first push that needs it with a 500, forever.
    func checkTables(_ db: PostgresConnection) throws {
        let rows = try db.execute("""
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema()
            """)
        var found: [String: Set<String>] = [:]
        for row in 0..<rows.rowCount { found[rows.text(row, 0), default: []].insert(rows.text(row, 1)) }
        var missing: [String] = []
        for (table, columns) in Self.expectedColumns {
            guard let present = found[table] else { missing.append("table \(table)"); continue }
            missing += columns.filter { !present.contains($0) }.map { "column \(table).\($0)" }
        }
        guard missing.isEmpty else {
            throw ServerStoreError("the database schema at \(location) is version \(Self.schemaVersion) but lacks \(missing.joined(separator: ", ")): "
                + "it was changed outside gsp-server; put it back as it was (rename the table back), restore the database from a "
                + "backup, or point --db at another database")
        }
    }

    /// Each table of `schema` with its columns, read off the CREATE TABLE statements so the two
    /// cannot disagree.
    static let expectedColumns: [(table: String, columns: [String])] = schema.compactMap { statement in
        guard let match = statement.firstMatch(of: /^CREATE TABLE (\w+) \(/) else { return nil }
        var columns: [String] = [], depth = 0, item = ""
        for character in statement[match.range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth < 0 || (character == "," && depth == 0) {
                let name = item.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
                if !["PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"].contains(name) { columns.append(name) }
                item = ""
                if depth < 0 { break }
                continue
            }
            item.append(character)
        }
        return (String(match.output.1), columns)
    }
}
