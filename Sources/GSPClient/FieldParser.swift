import GSPCore

/// Turns the text a user typed into a field's typed value, checking it against the schema.
public enum FieldParser {
    /// Parses `text` for `field`. An empty text clears the field (null).
    public static func parse(_ text: String, for field: Schema.Field) throws(ReplicaError) -> Value {
        if text.isEmpty { return .null }
        do {
            switch field.kind {
            case .null: return .null
            case .text: return .text(try checkedText(text, field: field.name))
            case .money: return .money(try Money.parse(text))
            case .date: return .date(try Day.parse(text))
            case .integer:
                guard let v = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw DomainError("malformed integer '\(text)' for \(field.name): write a whole number such as 1200")
                }
                return .integer(v)
            case .real:
                guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    throw DomainError("malformed number '\(text)' for \(field.name): write a number such as 30 or 2.5")
                }
                return .real(v)
            case .bool:
                switch text.lowercased() {
                case "true", "yes", "1": return .bool(true)
                case "false", "no", "0": return .bool(false)
                default: throw DomainError("malformed yes/no '\(text)' for \(field.name): write true or false")
                }
            }
        } catch let error as DomainError {
            throw .invalid(error)
        } catch {
            throw ReplicaError(.invalidValue, "\(error)")
        }
    }

    /// Text fields whose values come from a fixed list.
    static func checkedText(_ text: String, field: String) throws(DomainError) -> String {
        switch field {
        case "stage", "lost_stage": return try Stage.parse(text).rawValue
        case "outcome": return try Outcome.parse(text).rawValue
        case "contract_model":
            guard ["royalty", "otc"].contains(text) else { throw DomainError("unknown contract model '\(text)': use royalty or otc") }
            return text
        case "contract_unit":
            guard Contract.RoyaltyUnit(rawValue: text) != nil else { throw DomainError("unknown royalty unit '\(text)': use unit, line or copy") }
            return text
        case "comparator":
            guard KPI.Comparator(rawValue: text) != nil else { throw DomainError("unknown comparator '\(text)': use >= or <=") }
            return text
        default: return text
        }
    }

    /// Checks that a typed value fits a field's kind (null always fits: it clears the field).
    public static func check(_ value: Value, for field: Schema.Field) throws(ReplicaError) {
        guard value.isNull || value.kind == field.kind else {
            throw ReplicaError(.invalidValue, "\(field.name) holds \(field.kind.name) values, not \(value.kind.name)")
        }
        if case .text(let text) = value {
            do { _ = try checkedText(text, field: field.name) } catch { throw .invalid(error) }
        }
    }

    /// The known field, or an error listing the valid ones.
    public static func field(_ name: String, in table: Schema.Table) throws(ReplicaError) -> Schema.Field {
        if let field = Schema.field(name, in: table) { return field }
        let valid = Schema.fields(of: table).map(\.name).joined(separator: ", ")
        throw ReplicaError(.unknownField, "unknown field '\(name)' for \(table.rawValue): valid fields are \(valid)")
    }
}
