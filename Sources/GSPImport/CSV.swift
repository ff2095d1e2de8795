import Foundation

/// An import problem, with the file and (when there is one) the line it was found at.
public struct ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// 1-based; 0 for a problem with the whole file.
    public let line: Int
    public let reason: String
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

/// One record of a CSV file: its fields and the line it starts on (1-based).
public struct CSVRecord: Equatable, Sendable {
    public var line: Int
    public var fields: [String]
}

/// An RFC 4180 reader: quoted fields with commas, doubled quotes and line breaks,
/// CRLF or LF line ends, and a UTF-8 byte-order mark, which is skipped. The delimiter may
/// also be a semicolon or a tab (European spreadsheet exports).
public enum CSV {
    /// The delimiters a file may use, by the names `--delimiter` and mapping files accept.
    public static let delimiters: [(names: [String], byte: UInt8)] = [
        ([",", "comma"], UInt8(ascii: ",")), ([";", "semicolon"], UInt8(ascii: ";")), (["\t", "\\t", "tab"], UInt8(ascii: "\t")),
    ]

    /// The delimiter a name stands for (",", "comma", ";", "semicolon", "tab"), else nil.
    public static func delimiter(named name: String) -> UInt8? {
        delimiters.first { $0.names.contains(name.lowercased()) }?.byte
    }

    /// The delimiter the header line uses: whichever of comma, semicolon and tab occurs most
    /// outside quotes (a comma when none does).
    public static func detectDelimiter(_ data: Data) -> UInt8 {
        var counts: [UInt8: Int] = [:]
        var quoted = false
        for b in data {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if b == UInt8(ascii: "\n") { break }
            if delimiters.contains(where: { $0.byte == b }) { counts[b, default: 0] += 1 }
        }
        var best = UInt8(ascii: ",")
        for (_, byte) in delimiters where counts[byte, default: 0] > counts[best, default: 0] { best = byte }
        return best
    }

    /// Parses a whole file; a structural fault (an unclosed quote, text after a closing
    /// quote, invalid UTF-8) throws with its line. Blank lines are skipped.
    public static func parse(_ data: Data, file: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(ImportError) -> [CSVRecord] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var i = 0
        var quoted = false, wasQuoted = false

        func finishField() throws(ImportError) {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw ImportError(file: file, line: line, reason: "not valid UTF-8 text: save the file as UTF-8")
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func finishRecord() throws(ImportError) {
            try finishField()
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 2
                        continue
                    }
                    quoted = false
                    wasQuoted = true
                    let next = i + 1 < bytes.count ? bytes[i + 1] : UInt8(ascii: "\n")
                    guard next == delimiter || next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") else {
                        throw ImportError(file: file, line: line, reason: "text after a closing quote: quote the whole field and double any quote inside it")
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case delimiter:
                try finishField()
            case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                break // the LF that follows ends the record
            case UInt8(ascii: "\n"):
                try finishRecord()
                line += 1
                recordLine = line
            case UInt8(ascii: "\"") where field.isEmpty:
                quoted = true
            case UInt8(ascii: "\""):
                throw ImportError(file: file, line: line, reason: "a quote inside an unquoted field: quote the whole field and double the quote")
            default:
                field.append(b)
            }
            i += 1
        }
        if quoted { throw ImportError(file: file, line: recordLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { try finishRecord() }
        return records
    }

    /// Quotes a field when needed (comma, quote, line break, or leading/trailing space).
    public static func escape(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// One CSV line (without its line end).
    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") }
}

/// A parsed CSV file with a header row, read by column name.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let records: [CSVRecord]
    private let index: [String: Int]

    /// The delimiter the records were split by.
    public let delimiter: UInt8

    /// Parses a file; `delimiter` nil means: detect it from the header line.
    public init(data: Data, file: String, delimiter: UInt8? = nil) throws(ImportError) {
        let delimiter = delimiter ?? CSV.detectDelimiter(data)
        self.delimiter = delimiter
        let all = try CSV.parse(data, file: file, delimiter: delimiter)
        guard let first = all.first else { throw ImportError(file: file, line: 1, reason: "the file is empty: a header row is needed") }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        records = Array(all.dropFirst())
        self.file = file
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }

    public init(contentsOf url: URL, delimiter: UInt8? = nil) throws(ImportError) {
        try self.init(data: try SourceFile.read(url, what: "CSV file"), file: url.path, delimiter: delimiter)
    }

    /// Throws unless every named column is in the header; lists each missing column once,
    /// and hints at the delimiter when the header seems split by another one.
    public func require(_ columns: [String]) throws(ImportError) {
        var seen = Set<String>()
        let missing = columns.filter { index[$0] == nil && seen.insert($0).inserted }
        guard !missing.isEmpty else { return }
        var reason = "missing column(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")); the header has \(header.map { "'\($0)'" }.joined(separator: ", "))"
        let others = CSV.delimiters.filter { other in other.byte != delimiter && header.contains { $0.utf8.contains(other.byte) } }
        if let other = others.first {
            reason += ": the header holds '\(other.byte == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(other.byte)))' characters; "
                + "if that is the file's delimiter, pass --delimiter \(other.names.last!) (or \"delimiter\" in the mapping file)"
        } else {
            reason += ": check the column names in the mapping (they must match the header exactly)"
        }
        throw ImportError(file: file, line: 1, reason: reason)
    }

    /// The field of `column` in `record`; throws when the row is shorter or longer than the header.
    public func value(_ column: String, in record: CSVRecord) throws(ImportError) -> String {
        guard record.fields.count == header.count else {
            throw ImportError(file: file, line: record.line, reason: "expected \(header.count) columns, found \(record.fields.count)")
        }
        guard let i = index[column] else { throw ImportError(file: file, line: record.line, reason: "no column '\(column)'") }
        return record.fields[i].trimmingCharacters(in: .whitespaces)
    }
}

/// Reads the files an import names, with messages that say what is wrong and what to do.
enum SourceFile {
    static func read(_ url: URL, what: String) throws(ImportError) -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ImportError(file: url.path, line: 0, reason: "no such file: check the path")
        }
        guard !isFolder.boolValue else {
            throw ImportError(file: url.path, line: 0, reason: "'\(url.path)' is a folder, not a \(what): give the path of the file itself")
        }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ImportError(file: url.path, line: 0, reason: "cannot read the \(what): permission denied (check the file's permissions)")
        }
        // Through a file handle, not Data(contentsOf:): that refuses devices and pipes (/dev/null,
        // a shell's <(...)) with a misleading "permission" error.
        do { return try FileHandle(forReadingFrom: url).readToEnd() ?? Data() } catch {
            throw ImportError(file: url.path, line: 0, reason: "cannot read the \(what) (\((error as NSError).localizedFailureReason ?? "an I/O error")): check that it is a regular, readable file")
        }
    }
}
