import Foundation
import GSPCore
import GSPWire

extension VectorCatalog {
    struct Invalid {
        var name: String
        var frame: [UInt8]
        var code: ErrorCode
        var why: String
    }

    static func varint(_ v: UInt64) -> [UInt8] { var w = ByteWriter(); w.writeVarInt(v); return w.bytes }
    static func section(_ bytes: [UInt8]) -> [UInt8] { varint(UInt64(bytes.count)) + bytes }
    static func string(_ bytes: [UInt8]) -> [UInt8] { varint(UInt64(bytes.count)) + bytes }
    static let noTables = section([0, 0, 0])
    static func frame(_ kind: UInt8, _ body: [UInt8]) -> [UInt8] { Frame.frame(kind: kind, body: body) }
    static func header(major: UInt8 = 1, kind: UInt8, length: [UInt8]) -> [UInt8] { Array("GSPS".utf8) + [major, 0, kind] + length }

    /// An Error body with raw bytes for the message.
    static func errorBody(message: [UInt8], tail: [UInt8] = [0]) -> [UInt8] { noTables + section([1] + string(message) + tail) }

    /// A response body: tables, header, then refusals, changes, dropped rows and directory sections.
    static func responseBody(strings: [String] = ["deals", "title"], rows: Int = 1, nodes: Int = 1, changes: [UInt8],
                             dropped: [UInt8] = [0], directory: [UInt8] = [0], omitDirectory: Bool = false, hasMore: UInt8 = 0) -> [UInt8] {
        var tables = varint(UInt64(strings.count))
        for s in strings { tables += string(Array(s.utf8)) }
        tables += varint(UInt64(rows)) + (0..<rows).flatMap { id(UInt8($0 + 1)).bytes }
        tables += varint(UInt64(nodes)) + (0..<nodes).flatMap { id(UInt8($0 + 8)).bytes }
        var body = section(tables) + section(id(15).bytes + [0, 0, 0, hasMore]) + section([0]) + section(changes) + section(dropped)
        if !omitDirectory { body += section(directory) }
        return body
    }

    /// Header byte T|R|N plus a value tag: table 0, row 0, field 1, HLC delta 2, node 0.
    static func record(tag: UInt8, payload: [UInt8]) -> [UInt8] { [0x38 | tag, 0, 0, 1, 2, 0] + payload }

    static var invalid: [Invalid] {
        let good = Frame.encodeBytes(.error(ErrorMessage(code: .forbidden, message: "not your deal")))
        let goodBody = errorBody(message: Array("not your deal".utf8))
        let zeros = [UInt8](repeating: 0, count: 10_000_000)
        let bombStream = Array(Frame.frame(kind: 3, body: zeros, level: 9).dropFirst(11))
        let oneText = { (text: [UInt8]) in frame(2, responseBody(changes: [1] + record(tag: 4, payload: string(text)))) }
        return [
            Invalid(name: "empty", frame: [], code: .malformedFrame, why: "no bytes at all"),
            Invalid(name: "bad-magic", frame: Array("GSPX".utf8) + good.dropFirst(4), code: .malformedFrame, why: "magic is not GSPS"),
            Invalid(name: "truncated-header", frame: Array(good.prefix(6)), code: .malformedFrame, why: "6 bytes: no kind"),
            Invalid(name: "major-version-2", frame: Frame.frame(kind: 3, body: goodBody, major: 2), code: .unsupportedVersion, why: "a newer major version"),
            Invalid(name: "major-version-0", frame: Frame.frame(kind: 3, body: goodBody, major: 0), code: .unsupportedVersion, why: "major version 0"),
            Invalid(name: "kind-0", frame: frame(0, goodBody), code: .unknownMessageKind, why: "message kind 0"),
            Invalid(name: "kind-4", frame: frame(4, goodBody), code: .unknownMessageKind, why: "message kind 4"),
            Invalid(name: "body-length-over-limit", frame: header(kind: 3, length: varint(UInt64(Limits.standard.inflatedBytes) + 1)) + good.dropFirst(8),
                    code: .tooLarge, why: "declares a body of 64 MiB + 1"),
            Invalid(name: "zip-bomb-declared", frame: header(kind: 3, length: varint(100_000_000)) + bombStream, code: .tooLarge,
                    why: "declares 100,000,000 bytes: refused before inflating"),
            Invalid(name: "zip-bomb-lying", frame: header(kind: 3, length: varint(1000)) + bombStream, code: .malformedFrame,
                    why: "declares 1000 bytes, inflates to 10,000,000: stop at byte 1001"),
            Invalid(name: "body-length-not-minimal", frame: header(kind: 3, length: [0x80, 0x00]) + Array(Frame.frame(kind: 3, body: []).dropFirst(8)),
                    code: .malformedFrame, why: "body length varint 80 00 is not minimal"),
            Invalid(name: "adler32-mismatch", frame: good.dropLast() + [good.last! ^ 0x01], code: .malformedFrame, why: "last checksum byte flipped"),
            Invalid(name: "truncated-stream", frame: Array(good.dropLast(5)), code: .malformedFrame, why: "zlib stream cut short"),
            Invalid(name: "bytes-after-stream", frame: good + [0], code: .malformedFrame, why: "a byte after the zlib stream"),
            Invalid(name: "body-shorter-than-declared", frame: header(kind: 3, length: varint(UInt64(goodBody.count + 1))) + good.dropFirst(8),
                    code: .malformedFrame, why: "the body is one byte shorter than declared"),
            Invalid(name: "body-longer-than-declared", frame: header(kind: 3, length: varint(UInt64(goodBody.count - 1))) + good.dropFirst(8),
                    code: .malformedFrame, why: "the body is one byte longer than declared"),
            Invalid(name: "missing-section", frame: frame(3, noTables), code: .malformedFrame, why: "an Error body without its error section"),
            Invalid(name: "missing-directory-section", frame: frame(2, responseBody(changes: [0], omitDirectory: true)), code: .malformedFrame,
                    why: "a response without its node directory section"),
            Invalid(name: "section-past-body", frame: frame(3, noTables + [20, 1, 0, 0]), code: .malformedFrame, why: "a section claims 20 bytes, 3 left"),
            Invalid(name: "field-past-section", frame: frame(3, noTables + section([1, 5]) + [0]), code: .malformedFrame,
                    why: "the message string runs past its section's end"),
            Invalid(name: "text-invalid-utf8", frame: oneText([0x61, 0xFF, 0x62]), code: .malformedFrame, why: "byte FF in a text value"),
            Invalid(name: "text-overlong-utf8", frame: oneText([0xC0, 0xAF]), code: .malformedFrame, why: "overlong encoding of '/'"),
            Invalid(name: "text-utf8-surrogate", frame: oneText([0xED, 0xA0, 0x80]), code: .malformedFrame, why: "an encoded UTF-16 surrogate"),
            Invalid(name: "string-over-limit", frame: frame(3, errorBody(message: [UInt8](repeating: 0x61, count: Limits.standard.stringBytes + 1))),
                    code: .tooLarge, why: "a message one byte over the string limit"),
            Invalid(name: "value-tag-7", frame: frame(2, responseBody(changes: [1] + record(tag: 7, payload: []))), code: .malformedFrame, why: "value tag 7"),
            Invalid(name: "bool-2", frame: frame(2, responseBody(changes: [1] + record(tag: 6, payload: [2]))), code: .malformedFrame, why: "a bool byte of 2"),
            Invalid(name: "date-over-32-bits", frame: frame(2, responseBody(changes: [1] + record(tag: 5, payload: varint(UInt64(Int32.max) * 2 + 2)))),
                    code: .malformedFrame, why: "date 2^31 days"),
            Invalid(name: "string-ref-out-of-range", frame: frame(2, responseBody(changes: [1, 0x38, 0, 0, 2, 2, 0])), code: .malformedFrame,
                    why: "field ref 2 with a 2-entry string table"),
            Invalid(name: "row-ref-out-of-range", frame: frame(2, responseBody(changes: [1, 0x38, 0, 1, 1, 2, 0])), code: .malformedFrame,
                    why: "row ref 1 with a 1-entry row table"),
            Invalid(name: "first-record-without-table", frame: frame(2, responseBody(changes: [1, 0x30, 0, 1, 2, 0])), code: .malformedFrame,
                    why: "the first change has no table flag"),
            Invalid(name: "hlc-before-1970", frame: frame(2, responseBody(changes: [1, 0x38, 0, 0, 1, 1, 0])), code: .malformedFrame,
                    why: "HLC millisecond delta -1 from 0"),
            Invalid(name: "hlc-counter-over-16-bits", frame: frame(2, responseBody(changes: [1, 0xB8, 0, 0, 1, 2] + varint(65_536) + [0])),
                    code: .malformedFrame, why: "HLC counter 65536"),
            Invalid(name: "changes-over-limit", frame: frame(2, responseBody(changes: varint(200_001) + [UInt8](repeating: 0, count: 10))), code: .tooLarge,
                    why: "200,001 pulled changes"),
            Invalid(name: "count-past-section", frame: frame(2, responseBody(changes: [3] + record(tag: 0, payload: []))), code: .malformedFrame,
                    why: "3 changes claimed, 6 bytes left"),
            Invalid(name: "string-table-over-limit", frame: frame(3, section(varint(1_048_577)) + section([1, 0, 0])), code: .tooLarge,
                    why: "1,048,577 strings in the string table"),
            Invalid(name: "varint-11-bytes", frame: frame(3, noTables + section([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0])),
                    code: .malformedFrame, why: "an 11-byte varint for the error code"),
            Invalid(name: "varint-over-64-bits", frame: frame(3, noTables + section([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0])),
                    code: .malformedFrame, why: "a 10th varint byte of 2"),
            Invalid(name: "error-code-over-32-bits", frame: frame(3, noTables + section(varint(1 << 32) + [0, 0])), code: .malformedFrame,
                    why: "error code 2^32"),
            Invalid(name: "server-time-flag-2", frame: frame(3, errorBody(message: [], tail: [2])), code: .malformedFrame, why: "has-server-time byte 2"),
            Invalid(name: "duplicate-directory-node", frame: frame(2, responseBody(changes: [0], directory: [2, 0, 1, 0x41, 0, 1, 0x42])),
                    code: .malformedFrame, why: "node 0 twice in the node directory"),
            Invalid(name: "has-more-2", frame: frame(2, responseBody(changes: [0], hasMore: 2)),
                    code: .malformedFrame, why: "has-more byte 2"),
        ]
    }
}
