import Foundation

/// The `postgres://` connection URLs `--db` takes, and the one place that keeps their secrets
/// out of messages.
///
/// Every message that can quote a URL, or libpq's error text about it (libpq quotes the part it
/// could not read, such as `invalid percent-encoded token: "sec%ZZret"`), goes through
/// `redact(_:secretsOf:)` before it is printed.
public enum PostgresURL {
    private static let schemes = ["postgres://", "postgresql://"]

    /// True for the URLs this backend takes: `postgres://` and `postgresql://`, in any case.
    public static func handles(_ location: String) -> Bool {
        schemes.contains { location.lowercased().hasPrefix($0) }
    }

    /// `url` as libpq reads it: libpq only knows the lower-case schemes.
    public static func forLibpq(_ url: String) -> String {
        guard handles(url), let separator = url.range(of: "://") else { return url }
        return url[..<separator.lowerBound].lowercased() + url[separator.lowerBound...]
    }

    /// `url` fit for messages: the password of the user part and the value of every query
    /// parameter whose name contains "password" (password, sslpassword) replaced by `***`.
    public static func redacted(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return redactKeywords(url) }
        var result = String(url[..<separator.upperBound])
        var rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            result += authority[..<colon] + ":***" + authority[at...]
        } else {
            result += authority
        }
        rest = rest[authorityEnd...]
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let parameters = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
            guard let equals = pair.firstIndex(of: "="), isSecretName(pair[..<equals]) else { return String(pair) }
            return pair[...equals] + "***"
        }
        return result + parameters.joined(separator: "&")
    }

    /// `text` with every secret `url` holds replaced by `***`: the URL itself as `redacted` shows
    /// it, then each password anywhere (as written and percent-decoded), for messages that quote
    /// only part of the URL.
    public static func redact(_ text: String, secretsOf url: String) -> String {
        var result = url.isEmpty ? text : text.replacingOccurrences(of: url, with: redacted(url))
        for secret in secrets(of: url).sorted(by: { $0.count > $1.count }) {
            result = replacingWhole(secret, in: result)
        }
        return result
    }

    /// `text` with each occurrence of `secret` that is not part of a longer word (libpq quotes
    /// what it could not read) replaced by `***`: a password "w" must not turn "password"
    /// into "pass***ord".
    private static func replacingWhole(_ secret: String, in text: String) -> String {
        var result = "", rest = text[...]
        while let found = rest.range(of: secret) {
            let before = found.lowerBound == rest.startIndex ? result.last : rest[rest.index(before: found.lowerBound)]
            let after = found.upperBound == rest.endIndex ? nil : rest[found.upperBound]
            let whole = !(before?.isLetter ?? false || before?.isNumber ?? false) && !(after?.isLetter ?? false || after?.isNumber ?? false)
            result += rest[..<found.lowerBound] + (whole ? "***" : secret)
            rest = rest[found.upperBound...]
        }
        return result + rest
    }

    /// The password texts in `url` (URL or libpq `key=value` form), as written and decoded.
    static func secrets(of url: String) -> Set<String> {
        var found: [Substring] = []
        if let separator = url.range(of: "://") {
            let rest = url[separator.upperBound...]
            let authority = rest[..<(rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex)]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                found.append(authority[authority.index(after: colon)..<at])
            }
            if let question = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: question)...].split(separator: "&") {
                    if let equals = pair.firstIndex(of: "="), isSecretName(pair[..<equals]) {
                        found.append(pair[pair.index(after: equals)...])
                    }
                }
            }
        } else {
            found = keywordSecrets(url).map { $0.value }
        }
        var secrets: Set<String> = []
        for secret in found where !secret.isEmpty {
            secrets.insert(String(secret))
            if let decoded = secret.removingPercentEncoding, !decoded.isEmpty { secrets.insert(decoded) }
        }
        return secrets
    }

    /// A parameter name that holds a password (password, sslpassword, any other *password*).
    private static func isSecretName(_ name: Substring) -> Bool {
        (name.removingPercentEncoding ?? String(name)).lowercased().contains("password")
    }

    /// The `*password* = value` pairs of a libpq `key=value` string (a value may be quoted).
    private static func keywordSecrets(_ text: String) -> [(range: Range<String.Index>, value: Substring)] {
        var pairs: [(range: Range<String.Index>, value: Substring)] = []
        for match in text.matches(of: /(\w*password\w*)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/.ignoresCase()) {
            var value = match.output.2
            if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 { value = value.dropFirst().dropLast() }
            pairs.append((range: match.output.2.startIndex..<match.output.2.endIndex, value: value))
        }
        return pairs
    }

    private static func redactKeywords(_ text: String) -> String {
        var result = text
        for pair in keywordSecrets(text).reversed() { result.replaceSubrange(pair.range, with: "***") }
        return result
    }
}
