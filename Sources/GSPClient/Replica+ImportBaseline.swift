import GSPCore
import GSPStore

/// The import baseline: per (table, row, field), the value the last import wrote or found.
/// A re-import compares the source with it, never with the current value, which may hold
/// a newer user edit.
extension Replica {
    func importBaseline(_ key: FieldKey) throws -> Value? {
        let s = try statement("SELECT kind, vi, vt FROM import_baseline WHERE tbl = ? AND row = ? AND field = ?")
        try s.bind([.text(key.table), .text(key.row.lowercased), .text(key.field)])
        guard let r = try s.step() else { return nil }
        return try StoredValue.read(r, at: 0)
    }

    func setImportBaseline(_ key: FieldKey, _ value: Value) throws {
        try statement("""
            INSERT INTO import_baseline (tbl, row, field, kind, vi, vt) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tbl, row, field) DO UPDATE SET kind = excluded.kind, vi = excluded.vi, vt = excluded.vt
            """).run([.text(key.table), .text(key.row.lowercased), .text(key.field)] + StoredValue.columns(value))
    }

    /// Whether the field ever held `value` here: stands in for the baseline of a field imported
    /// before baselines were kept, or imported on another replica and pulled.
    func historyHolds(_ key: FieldKey, _ value: Value) throws -> Bool {
        let s = try statement("SELECT kind, vi, vt FROM history WHERE tbl = ? AND row = ? AND field = ?")
        try s.bind([.text(key.table), .text(key.row.lowercased), .text(key.field)])
        while let r = try s.step() {
            if try StoredValue.read(r, at: 0) == value { s.reset(); return true }
        }
        return false
    }
}
