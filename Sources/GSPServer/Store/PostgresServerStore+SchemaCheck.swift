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
        let missing = SchemaColumns.missing(Self.expectedColumns, found: found)
        guard missing.isEmpty else {
            throw ServerStoreError("the database schema at \(location) is version \(Self.schemaVersion) but lacks \(missing.joined(separator: ", ")): "
                + "it was changed outside gsp-server; put it back as it was (rename the table back), restore the database from a "
                + "backup, or point --db at another database")
        }
    }

    /// Each table of `schema` with its columns.
    static let expectedColumns = SchemaColumns.parse(schema.joined(separator: ";\n"))
}
