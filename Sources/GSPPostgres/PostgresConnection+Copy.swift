@preconcurrency import CPostgres

extension PostgresConnection {
    /// Streams rows in COPY text format (see `CopyRows`) into `COPY ... FROM STDIN`; returns the row count.
    @discardableResult
    public func copyIn(_ sql: String, _ rows: CopyRows) throws(PostgresError) -> Int {
        roundTrips += 2  // the COPY statement's answer, then the data's
        _ = try check(PQexec(raw, sql), sql: sql, expecting: [PGRES_COPY_IN])
        var failure: PostgresError?
        let chunk = 1 << 20
        rows.bytes.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let count = min(chunk, all.count - offset)
                let sent = (all.baseAddress! + offset).withMemoryRebound(to: CChar.self, capacity: count) {
                    PQputCopyData(raw, $0, Int32(count))
                }
                if sent != 1 { failure = lastError(sql: sql); return }
                offset += count
            }
        }
        // Ending the copy is needed even after a failure, or the connection stays in COPY mode.
        if PQputCopyEnd(raw, failure == nil ? nil : "client failed while sending") != 1, failure == nil {
            failure = lastError(sql: sql)
        }
        let result = try finish(sql: sql, expecting: PGRES_COMMAND_OK)
        if let failure { throw failure }
        return result?.affectedRows ?? rows.count
    }

    /// Runs `COPY ... TO STDOUT` and returns everything it wrote.
    public func copyOut(_ sql: String) throws(PostgresError) -> [UInt8] {
        roundTrips += 1
        _ = try check(PQexec(raw, sql), sql: sql, expecting: [PGRES_COPY_OUT])
        var data: [UInt8] = []
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(raw, &buffer, 0)
            if length > 0, let buffer {
                buffer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                    data.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
                }
                PQfreemem(buffer)
            } else {
                break  // -1: done (the status follows); -2: failed (the status says why)
            }
        }
        _ = try finish(sql: sql, expecting: PGRES_COMMAND_OK)
        return data
    }

    /// Reads the results that follow a COPY until libpq has none left; throws the first failure.
    private func finish(sql: String, expecting: ExecStatusType) throws(PostgresError) -> PostgresResult? {
        var first: PostgresResult?
        var failure: PostgresError?
        while let next = PQgetResult(raw) {
            do {
                let result = try check(next, sql: sql, expecting: [expecting])
                if first == nil { first = result }
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return first
    }
}

/// Rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
public struct CopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var count = 0
    private var atRowStart = true

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var isEmpty: Bool { count == 0 }

    private mutating func separate() {
        if !atRowStart { bytes.append(0x09) }
        atRowStart = false
    }

    public mutating func null() {
        separate()
        bytes += [0x5C, 0x4E]
    }

    public mutating func text(_ value: String) {
        separate()
        for byte in value.utf8 {
            switch byte {
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x09: bytes += [0x5C, 0x74]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            default: bytes.append(byte)
            }
        }
    }

    public mutating func text(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    public mutating func integer(_ value: Int64) {
        separate()
        bytes += Array(String(value).utf8)
    }

    public mutating func integer(_ value: Int64?) {
        if let value { integer(value) } else { null() }
    }

    /// A bytea value, as `\\x` and hex digits.
    public mutating func bytea(_ value: [UInt8]?) {
        guard let value else { return null() }
        separate()
        bytes += [0x5C, 0x5C, 0x78]
        let digits = Array("0123456789abcdef".utf8)
        for byte in value {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(value ? 0x74 : 0x66)
    }

    /// Appends rows already in COPY text format (each ending with a newline).
    public mutating func appendRaw(_ rows: [UInt8]) {
        bytes += rows
        count += rows.lazy.filter { $0 == 0x0A }.count
    }

    public mutating func endRow() {
        bytes.append(0x0A)
        count += 1
        atRowStart = true
    }
}
