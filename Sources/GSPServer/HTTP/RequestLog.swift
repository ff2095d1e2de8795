import Foundation

/// One JSON object per request on stderr: when, method, path, status, duration, user, changes in and out.
public enum RequestLog {
    struct Line: Encodable {
        let time: String
        let method: String
        let path: String
        let status: Int
        let ms: Double
        let user: String?
        let changesIn: Int?
        let changesOut: Int?
    }

    public static func line(_ request: HTTPRequest, _ response: HTTPResponse, _ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        let line = Line(time: Date().formatted(.iso8601), method: request.method, path: request.path, status: response.status,
                        ms: (ms * 1000).rounded() / 1000, user: response.user,
                        changesIn: response.changesIn, changesOut: response.changesOut)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Writes the line in one `write`, so lines from connection threads never interleave.
    /// A log that cannot be written (a full disk, a closed pipe) loses the line; the request
    /// is served all the same (the non-throwing `FileHandle.write` would trap and stop the server).
    public static func write(_ request: HTTPRequest, _ response: HTTPResponse, _ duration: Duration) {
        try? FileHandle.standardError.write(contentsOf: Data((line(request, response, duration) + "\n").utf8))
    }
}

/// Lines for the operator on stderr, next to the request log; written even with `--quiet`.
public enum ServerLog {
    /// One line: the newlines of a multi-line message (such as its SQL) become spaces.
    public static func error(_ text: String) {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        try? FileHandle.standardError.write(contentsOf: Data("gsp-server: error: \(line)\n".utf8))
    }

    /// Connection-level events (libmicrohttpd's own messages, connections closed without a request).
    public static func http(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data("gsp-server: http: \(text)\n".utf8))
    }
}
