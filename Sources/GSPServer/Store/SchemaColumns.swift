/// The tables and columns a schema's CREATE TABLE statements declare, so a store can check a
/// database against its own schema text (the two cannot disagree) and name what is missing.
enum SchemaColumns {
    /// Each `CREATE TABLE [IF NOT EXISTS] name (...)` in `sql`, with its column names in order
    /// (table constraints such as PRIMARY KEY (...) left out).
    static func parse(_ sql: String) -> [(table: String, columns: [String])] {
        sql.matches(of: /CREATE TABLE (?:IF NOT EXISTS )?(\w+) \(/).map { match in
            var columns: [String] = [], depth = 0, item = ""
            for character in sql[match.range.upperBound...] {
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

    /// "table X, column Y.Z" for what `expected` declares and `found` (columns by table) lacks.
    static func missing(_ expected: [(table: String, columns: [String])], found: [String: Set<String>]) -> [String] {
        var missing: [String] = []
        for (table, columns) in expected {
            guard let present = found[table] else { missing.append("table \(table)"); continue }
            missing += columns.filter { !present.contains($0) }.map { "column \(table).\($0)" }
        }
        return missing
    }
}
