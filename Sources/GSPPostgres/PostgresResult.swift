@preconcurrency import CPostgres

/// The rows of one statement, in libpq's binary result format; the result is freed on release.
///
/// Column accessors take the column's SQL type on trust: `integer` reads int2/int4/int8,
/// `text` reads text, `bytes` reads bytea, `bool` reads boolean.
public final class PostgresResult {
    private let handle: OpaquePointer
    public let rowCount: Int
    public let columnCount: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    /// The number of rows an INSERT, UPDATE or DELETE touched.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// The raw bytes of one value (empty for NULL).
    public func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        guard length > 0, let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// A big-endian int2, int4 or int8 (0 for NULL).
    public func integer(_ row: Int, _ column: Int) -> Int64 {
        withBytes(row, column) { bytes in
            var value: UInt64 = 0
            for byte in bytes { value = value << 8 | UInt64(byte) }
            // Sign-extend the narrower types.
            let bits = bytes.count * 8
            guard bits > 0, bits < 64 else { return Int64(bitPattern: value) }
            let shift = UInt64(64 - bits)
            return Int64(bitPattern: value << shift) >> Int64(shift)
        }
    }

    public func text(_ row: Int, _ column: Int) -> String {
        withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    public func optionalText(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : text(row, column)
    }

    public func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        withBytes(row, column) { Array($0) }
    }

    public func bool(_ row: Int, _ column: Int) -> Bool {
        withBytes(row, column) { $0.first.map { $0 != 0 } ?? false }
    }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}
