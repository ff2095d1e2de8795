import Foundation

/// Certificate authorities in PEM form, as `gsp login --ca-file` reads them: checked once, at
/// login, and then kept in the replica, so the file may move or vanish without breaking sync.
public enum CACertificates {
    /// The PEM certificates in `file` (text outside them dropped), or an error saying what is wrong.
    /// Each `-----BEGIN CERTIFICATE-----` block must hold base64 of a DER structure (a SEQUENCE):
    /// a file that merely mentions the marker, a private key or a truncated copy is refused now,
    /// not at the first sync, when the rep may be offline and far from their administrator.
    public static func read(_ file: String) throws(ReplicaError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReplicaError(.unusableFile, "cannot read the CA file \(file): check the path")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: file)
    }

    /// The certificate blocks of PEM `text`, re-joined; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(ReplicaError) -> String {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        let advice = "ask your administrator for the company's CA certificate in PEM form (a text file starting with '\(begin)')"
        var blocks: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin) {
            guard let stop = rest[start.upperBound...].range(of: end) else {
                throw ReplicaError(.unusableFile, "\(file): a certificate has no '\(end)' line (is the file cut short?): \(advice)")
            }
            let body = rest[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
            guard let der = Data(base64Encoded: String(body)), der.first == 0x30, der.count > 64 else {
                throw ReplicaError(.unusableFile, "\(file): certificate \(blocks.count + 1) is not valid PEM (its base64 body does not decode to a certificate): \(advice)")
            }
            blocks.append(begin + "\n" + Self.wrap(String(body)) + end + "\n")
            rest = rest[stop.upperBound...]
        }
        guard !blocks.isEmpty else {
            throw ReplicaError(.unusableFile, "\(file) holds no PEM certificate (no '\(begin)' line): \(advice)")
        }
        return blocks.joined()
    }

    /// Base64 in lines of 64 characters, as PEM writes it.
    private static func wrap(_ base64: String) -> String {
        var out = "", line = 0
        for character in base64 {
            out.append(character)
            line += 1
            if line == 64 { out.append("\n"); line = 0 }
        }
        return line == 0 ? out : out + "\n"
    }
}
