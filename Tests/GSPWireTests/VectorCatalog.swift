import Foundation
import GSPCore
import GSPWire

/// The golden messages of protocol/vectors/. Changing one changes the committed files:
/// regenerate them with `GSP_WRITE_VECTORS=1 swift test --filter VectorTests` and review the diff.
enum VectorCatalog {
    struct Valid {
        var name: String
        var message: Message
        /// A newer writer's extras (minor version, appended bytes per section, extra sections).
        var minor: UInt8 = 0
        var extraPerSection: [UInt8] = []
        var extraSections: [[UInt8]] = []

        var frame: [UInt8] {
            guard minor != 0 || !extraPerSection.isEmpty || !extraSections.isEmpty else { return Frame.encodeBytes(message) }
            var sections = try! BodySections(Frame.encodeBody(message))
            for i in sections.sections.indices { sections.sections[i] += extraPerSection }
            sections.sections += extraSections
            return Frame.frame(kind: message.kind, body: sections.body, minor: minor)
        }
    }

    /// Ids with a recognisable pattern: byte i is `n << 4 | i`.
    static func id(_ n: UInt8) -> UUID { UUID(bytes: (0..<16).map { n << 4 | UInt8($0) }) }
    static func node(_ n: UInt8) -> NodeID { NodeID(id(n)) }

    static let ms: UInt64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    static func values(_ name: String, _ values: [Value]) -> Valid {
        let changes = values.enumerated().map { i, v in
            Change(table: "deals", row: id(1), field: "f\(i)", value: v, hlc: HLC(milliseconds: ms + UInt64(i)), node: node(9))
        }
        return Valid(name: "value-\(name)", message: .response(SyncResponse(epoch: id(15), serverTime: HLC(milliseconds: ms + 100),
                                                                           acknowledged: 0, changes: changes, cursor: UInt64(changes.count), hasMore: false)))
    }

    /// Exactly `Limits.standard.stringBytes` bytes of UTF-8, mixing 1-, 2- and 4-byte characters.
    static var largestString: String {
        let unit = "Größe 😀 ", limit = Limits.standard.stringBytes
        return String(repeating: unit, count: limit / unit.utf8.count) + String(repeating: "x", count: limit % unit.utf8.count)
    }

    static var valid: [Valid] {
        let push = [
            PushedChange(seq: 1, change: Change(table: "deals", row: id(1), field: "title", value: .text("Acme PoC"), hlc: HLC(milliseconds: ms), node: node(2))),
            PushedChange(seq: 2, change: Change(table: "deals", row: id(1), field: "stage", value: .text("poc"), hlc: HLC(milliseconds: ms, counter: 1), node: node(2), prev: HLC(milliseconds: ms - 86_400_000))),
            PushedChange(seq: 5, change: Change(table: "kpis", row: id(3), field: "target", value: .real(99.5), hlc: HLC(milliseconds: ms + 1500), node: node(2))),
            PushedChange(seq: 6, change: Change(table: "deals", row: id(1), field: "amount", value: .money(Money(minorUnits: 4_500_000, currency: "USD")), hlc: HLC(milliseconds: ms + 1501), node: node(2), prev: HLC(milliseconds: ms, counter: 1))),
        ]
        let pulled = [
            Change(table: "deals", row: id(4), field: "owner", value: .text("rep7"), hlc: HLC(milliseconds: ms), node: node(5)),
            Change(table: "deals", row: id(4), field: "close_date", value: .date(Day(year: 2026, month: 3, day: 31)), hlc: HLC(milliseconds: ms + 3), node: node(6)),
            Change(table: "time_entries", row: id(7), field: "minutes", value: .integer(90), hlc: HLC(milliseconds: ms + 2), node: node(5), prev: HLC(milliseconds: ms + 1)),
        ]
        let everyPlane = String(String.UnicodeScalarView((0...16).map { Unicode.Scalar(UInt32($0) << 16 | 0x4E2D)! }))
        return [
            Valid(name: "request-empty", message: .request(SyncRequest(node: node(2), knownEpoch: nil, cursor: 0, pageSize: 500, changes: []))),
            Valid(name: "request-push", message: .request(SyncRequest(node: node(2), knownEpoch: id(15), cursor: 4242, pageSize: 2000, changes: push))),
            Valid(name: "response-empty", message: .response(SyncResponse(epoch: id(15), serverTime: .zero, acknowledged: 0, cursor: 0, hasMore: false))),
            Valid(name: "response-full", message: .response(SyncResponse(
                epoch: id(15), serverTime: HLC(milliseconds: ms + 10, counter: 2), acknowledged: 6,
                refusals: [Refusal(seq: 2, code: .outOfScope, reason: "deal 11111111 is owned by rep3"),
                           Refusal(seq: 3, code: .invalidValue, reason: "probability must be 0-100"),
                           Refusal(seq: 4, code: .clockSkew, reason: "stamped 2 h ahead"),
                           Refusal(seq: 5, code: .forbidden, reason: "managers only"),
                           Refusal(seq: 6, code: .other, reason: "")],
                changes: pulled, dropped: [DroppedRow(table: "deals", row: id(8)), DroppedRow(table: "kpis", row: id(4))],
                nodes: [node(5): "Ana Souza", node(6): "Kenji Sato"], cursor: 913, hasMore: true))),
            values("null", [.null]),
            values("integer", [.integer(0), .integer(1), .integer(-1), .integer(63), .integer(-64), .integer(300), .integer(.max), .integer(.min)]),
            values("money", [.money(Money(minorUnits: 4_500_000, currency: "USD")), .money(Money(minorUnits: -1, currency: "EUR")),
                             .money(Money(minorUnits: 1000, currency: "JPY")), .money(Money(minorUnits: .max, currency: "KWD")),
                             .money(Money(minorUnits: .min, currency: "USD")), .money(Money(minorUnits: 0, currency: "x-ünknown"))]),
            values("real", [0, 0x8000_0000_0000_0000, 1, 0x000F_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
                            0x7FF8_0000_0000_0000, 0x7FF4_DEAD_BEEF_0001, 0xFFFF_FFFF_FFFF_FFFF, 1.5.bitPattern, (-2.25).bitPattern,
                            Double.pi.bitPattern].map { .real(Double(bitPattern: $0)) }),
            values("text", ["", "a", "Acme GmbH", "\u{E9}", "e\u{301}", "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "שלום", "مرحبا", "日本語", "\u{0}",
                            "quote \" backslash \\ newline \n", "\u{FEFF}", "\u{10FFFF}", everyPlane].map { .text($0) }),
            values("date", [0, -1, 20_543, .max, .min].map { .date(Day(daysSinceEpoch: $0)) }),
            values("bool", [.bool(false), .bool(true)]),
            Valid(name: "hlc-node-ties", message: .response(SyncResponse(epoch: id(15), serverTime: HLC(rawValue: .max), acknowledged: 0, changes: [
                Change(table: "deals", row: id(1), field: "stage", value: .text("kpi"), hlc: HLC(milliseconds: ms, counter: 7), node: node(2)),
                Change(table: "deals", row: id(1), field: "stage", value: .text("pis"), hlc: HLC(milliseconds: ms, counter: 7), node: node(3)),
                Change(table: "deals", row: id(1), field: "stage", value: .text("pis"), hlc: HLC(milliseconds: ms, counter: 7), node: node(3)),
                Change(table: "deals", row: id(1), field: "title", value: .null, hlc: HLC(milliseconds: ms - 5000, counter: 0xFFFF), node: node(2), prev: HLC(milliseconds: ms)),
                Change(table: "deals", row: id(1), field: "title", value: .null, hlc: HLC(rawValue: .max), node: node(2), prev: HLC(rawValue: 1)),
                Change(table: "deals", row: id(1), field: "title", value: .null, hlc: .zero, node: node(2), prev: HLC(rawValue: .max)),
            ], cursor: 6, hasMore: false))),
            Valid(name: "unknown-table-and-field", message: .request(SyncRequest(node: node(2), schemaVersion: 7, knownEpoch: id(15), cursor: 1, pageSize: 1, changes: [
                PushedChange(seq: UInt64.max, change: Change(table: "future_table", row: id(1), field: "x-new-field", value: .integer(1), hlc: HLC(milliseconds: ms), node: node(2))),
            ]))),
            Valid(name: "string-largest", message: .error(ErrorMessage(code: .internalError, message: largestString))),
            Valid(name: "error-unauthorized", message: .error(ErrorMessage(code: .unauthorized, message: "token rejected"))),
            Valid(name: "error-clock-skew", message: .error(ErrorMessage(code: .clockSkew, message: "your clock is 7200000 ms ahead", serverTime: HLC(milliseconds: ms, counter: 3)))),
            Valid(name: "error-unknown-code", message: .error(ErrorMessage(code: ErrorCode(rawValue: 4000), message: "from a newer server"))),
            Valid(name: "newer-minor-version", message: .response(SyncResponse(epoch: id(15), serverTime: HLC(milliseconds: ms), acknowledged: 3,
                                                                             changes: pulled, nodes: [node(5): "Ana"], cursor: 3, hasMore: false)),
                  minor: 4, extraPerSection: [0x2A, 0x80, 0x01], extraSections: [[1, 2, 3], []]),
        ]
    }
}
