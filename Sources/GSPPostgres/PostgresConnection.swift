@preconcurrency import CPostgres
import Foundation

/// One libpq connection. Not Sendable: own it from one thread, or go through `PostgresPool`.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// The connection string, for messages (the password, if any, is never printed).
    public let location: String
    /// Run after every (re)connect: session settings, temporary tables.
    private let setup: (PostgresConnection) throws -> Void
    /// Network round trips to the server so far (a statement, a pipeline, a COPY's two), for
    /// the benchmark and the tests that keep a push to a fixed number of them.
    public internal(set) var roundTrips = 0

    /// Connects to `url` (`postgres://user@host:port/db?...` or `key=value` pairs).
    /// Throws with libpq's message for a malformed string or a failed connection.
    public init(url: String, setup: @escaping (PostgresConnection) throws -> Void = { _ in }) throws(PostgresError) {
        location = Self.redacted(url)
        var parseError: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &parseError) else {
            let message = parseError.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(parseError)
            throw PostgresError(sqlState: nil, message: "invalid connection string '\(location)': \(Self.trimmed(message))", sql: nil)
        }
        PQconninfoFree(options)
        // PQconnectdb returns a handle even on failure; only PQstatus tells.
        guard let connection = PQconnectdb(url) else {
            throw PostgresError(sqlState: nil, message: "libpq could not allocate a connection", sql: nil, isConnectionFailure: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(sqlState: nil, message: "cannot connect to \(location): \(message)", sql: nil, isConnectionFailure: true)
        }
        handle = connection
        self.setup = setup
        try configure()
    }

    deinit { PQfinish(handle) }

    /// False once the connection was lost (the server restarted, the network dropped).
    public var isHealthy: Bool {
        // A pipeline left open by a failure would refuse every later statement: only a reset ends it then.
        PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) != PQTRANS_UNKNOWN && PQpipelineStatus(handle) == PQ_PIPELINE_OFF
    }

    /// True between BEGIN and COMMIT or ROLLBACK, and in a failed transaction not yet rolled back.
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Reconnects with the same parameters after a lost connection.
    public func reset() throws(PostgresError) {
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(sqlState: nil, message: "cannot reconnect to \(location): \(Self.trimmed(String(cString: PQerrorMessage(handle))))",
                                sql: nil, isConnectionFailure: true)
        }
        try configure()
    }

    private func configure() throws(PostgresError) {
        // Notices ("relation already exists, skipping") would go to stderr otherwise.
        try execute("SET client_min_messages TO warning")
        do { try setup(self) } catch let error as PostgresError { throw error } catch {
            throw PostgresError(sqlState: nil, message: "\(error)", sql: nil)
        }
    }

    /// Runs one statement with `$1`-style parameters; rows come back in binary format.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresParameter] = []) throws(PostgresError) -> PostgresResult {
        roundTrips += 1
        let raw = try WireParameters(sql, parameters).withPointers { count, values, lengths, formats in
            PQexecParams(handle, sql, count, nil, values, lengths, formats, 1)
        }
        return try check(raw, sql: sql, expecting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
    }

    /// Runs one or more statements without parameters (the simple query protocol).
    public func executeScript(_ sql: String) throws(PostgresError) {
        roundTrips += 1
        _ = try check(PQexec(handle, sql), sql: sql, expecting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isHealthy { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: Internals shared with the COPY extension

    func check(_ raw: OpaquePointer?, sql: String, expecting: [ExecStatusType]) throws(PostgresError) -> PostgresResult {
        guard let raw else { throw lastError(sql: sql) }
        let result = PostgresResult(handle: raw)
        let status = PQresultStatus(raw)
        guard expecting.contains(status) else {
            let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorMessage(raw).map { Self.trimmed(String(cString: $0)) } ?? ""
            throw PostgresError(sqlState: state, message: message.isEmpty ? "unexpected result status \(status.rawValue)" : message,
                                sql: sql, isConnectionFailure: PQstatus(handle) != CONNECTION_OK)
        }
        return result
    }

    func lastError(sql: String?) -> PostgresError {
        PostgresError(sqlState: nil, message: Self.trimmed(String(cString: PQerrorMessage(handle))), sql: sql,
                      isConnectionFailure: PQstatus(handle) != CONNECTION_OK)
    }

    var raw: OpaquePointer { handle }

    static func trimmed(_ message: String) -> String {
        message.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
    }

    /// The connection string without its password.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// Statement parameters as libpq takes them, checked: text ones NUL-terminated, NULL as nil.
struct WireParameters {
    private var buffers: [[UInt8]?] = []
    private var formats: [Int32] = []

    init(_ sql: String, _ parameters: [PostgresParameter]) throws(PostgresError) {
        buffers.reserveCapacity(parameters.count)
        formats.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard var wire = parameter.wire else {
                buffers.append(nil)
                formats.append(0)
                continue
            }
            if !wire.binary {
                if wire.bytes.contains(0) {
                    throw PostgresError(sqlState: nil, message: "a text parameter contains a NUL byte, which PostgreSQL text cannot hold", sql: sql)
                }
                wire.bytes.append(0)  // text parameters are C strings
            }
            buffers.append(wire.bytes)
            formats.append(wire.binary ? 1 : 0)
        }
    }

    /// Calls `body` with the count, values, lengths and formats, all valid during the call
    /// (one contiguous block; nil for NULL).
    func withPointers<R>(_ body: (Int32, [UnsafePointer<CChar>?], [Int32], [Int32]) -> R) -> R {
        var storage: [UInt8] = [0]  // never empty, so an empty non-NULL value still gets a pointer
        var offsets: [Int?] = []
        offsets.reserveCapacity(buffers.count)
        for buffer in buffers {
            guard let buffer else { offsets.append(nil); continue }
            offsets.append(storage.count)
            storage += buffer
        }
        let lengths = buffers.map { Int32($0?.count ?? 0) }
        return storage.withUnsafeBufferPointer { block in
            let base = UnsafeRawPointer(block.baseAddress!)
            return body(Int32(buffers.count), offsets.map { $0.map { (base + $0).assumingMemoryBound(to: CChar.self) } }, lengths, formats)
        }
    }
}

extension PostgresConnection {
    /// A connection string fit for messages: the password, if any, replaced by `***`.
    public static func redactedLocation(_ url: String) -> String { redacted(url) }
}
