import Foundation

/// Plain-words explanations of a mapping file that does not decode.
enum MappingProblem {
    /// What each key is for, said when it is missing.
    static let purpose: [String: String] = [
        "source": "name the CRM the file comes from (it is part of every row id: keep it stable)",
        "id": "name the column holding each row's source id",
        "fields": "map GSP deal fields to columns, at least \"title\"",
        "column": "name the column holding the source's stage",
        "values": "map each source stage to a GSP stage id, or to won / lost",
    ]

    /// "key 'id' is missing: name the column holding each row's source id", and so on.
    static func explain(_ error: any Error) -> String {
        let format = "see docs/import.md for the format"
        guard let error = error as? DecodingError else { return "cannot be read as a mapping (\(error)); \(format)" }
        switch error {
        case .keyNotFound(let key, let context):
            let path = keyPath(context.codingPath + [key])
            return "key '\(path)' is missing: \(purpose[key.stringValue] ?? format)"
        case .typeMismatch(let type, let context):
            let wanted = type == String.self ? "text in quotes" : type is [String: String].Type ? "an object of \"name\": \"text\" pairs" : "an object"
            return "key '\(keyPath(context.codingPath))' should be \(wanted); \(format)"
        case .valueNotFound(_, let context):
            return "key '\(keyPath(context.codingPath))' is null: give it a value, or leave the key out if it is optional; \(format)"
        case .dataCorrupted(let context):
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let at = context.codingPath.isEmpty ? "" : " at '\(keyPath(context.codingPath))'"
            return "not valid JSON\(at)\(detail.map { " (\($0))" } ?? ""): check the quotes, commas and braces"
        @unknown default:
            return "cannot be read as a mapping; \(format)"
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }
}
