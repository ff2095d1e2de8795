import Foundation
import Testing
import GSPCore
import GSPTestSupport
@testable import GSPWire

@Suite struct RoundTripTests {
    @Test func randomMessagesDecodeToWhatWasEncoded() throws {
        let seed = TestSeed.derive(301)
        print("RoundTripTests: GSP_TEST_SEED=\(TestSeed.base)")
        var rng = SeededGenerator(seed: seed)
        for i in 0..<400 {
            let message = WireFixtures.message(using: &rng)
            let decoded = try Frame.decode(Frame.encode(message))
            #expect(decoded == message, "message \(i) of seed \(seed)")
            // Equal messages are equal bytes: the body is canonical.
            #expect(Frame.encodeBody(decoded) == Frame.encodeBody(message))
        }
    }

    @Test func everyValueKindAndExtremeRoundTripsBitExactly() throws {
        var values: [Value] = [.null, .bool(true), .bool(false), .integer(.min), .integer(.max), .integer(0),
                               .money(Money(minorUnits: .max, currency: "USD")), .money(Money(minorUnits: .min, currency: "JPY")),
                               .date(Day(daysSinceEpoch: .min)), .date(Day(daysSinceEpoch: .max))]
        values += WireFixtures.reals.map { .real(Double(bitPattern: $0)) }
        values += WireFixtures.texts.map { .text($0) }
        var rng = SeededGenerator(seed: TestSeed.derive(302))
        values += (0..<50).map { _ in .text(WireFixtures.everyPlaneText(using: &rng)) }
        let node = NodeID(WireFixtures.uuid(using: &rng))
        let changes = values.enumerated().map { i, value in
            Change(table: "deals", row: WireFixtures.uuid(using: &rng), field: "f\(i % 5)", value: value,
                   hlc: HLC(milliseconds: UInt64(i), counter: UInt16(i % 3)), node: node)
        }
        let response = SyncResponse(epoch: UUID(), serverTime: HLC(rawValue: 9), acknowledged: 0, changes: changes,
                                    cursor: 1, hasMore: false)
        guard case .response(let back) = try Frame.decode(Frame.encode(.response(response))) else {
            Issue.record("not a response"); return
        }
        #expect(back.changes.count == changes.count)
        for (a, b) in zip(back.changes, changes) {
            #expect(a.value == b.value)  // Value's == compares reals by bits and text by UTF-8 bytes
            if case .text(let s) = a.value, case .text(let t) = b.value { #expect(Array(s.utf8) == Array(t.utf8)) }
        }
    }

    @Test func canonicallyEquivalentNamesStayDistinct() throws {
        // "é" precomposed and decomposed are == in Swift; the wire must keep both spellings.
        let node = NodeID()
        let row = RowID()
        let changes = ["\u{E9}", "e\u{301}", "\u{E9}"].map {
            Change(table: $0, row: row, field: $0, value: .money(Money(minorUnits: 1, currency: $0)), hlc: HLC(rawValue: 1), node: node)
        }
        let response = SyncResponse(epoch: UUID(), serverTime: .zero, acknowledged: 0, changes: changes, cursor: 0, hasMore: false)
        guard case .response(let back) = try Frame.decode(Frame.encode(.response(response))) else { return }
        #expect(back.changes.map { Array($0.field.utf8) } == changes.map { Array($0.field.utf8) })
        #expect(back.changes.map { Array($0.table.utf8) } == changes.map { Array($0.table.utf8) })
    }

    @Test func aOneMebibyteTextIsLegalAndTheLimitIsExact() throws {
        let limit = Limits.standard.stringBytes
        let big = String(repeating: "ü€😀a", count: (1 << 20) / 10)  // 10 UTF-8 bytes per repeat: ~1 MiB
        let atLimit = String(repeating: "x", count: limit)
        for text in [big, atLimit] {
            let message = Message.error(ErrorMessage(code: .internalError, message: text))
            #expect(try Frame.decode(Frame.encode(message)) == message)
        }
        let over = Message.error(ErrorMessage(code: .internalError, message: atLimit + "x"))
        #expect(throws: WireError.self) { try Frame.decode(Frame.encode(over)) }
        do { _ = try Frame.decode(Frame.encode(over)) } catch { #expect(error.code == .tooLarge) }
    }

    @Test func emptyMessagesRoundTrip() throws {
        let messages: [Message] = [
            .request(SyncRequest(node: NodeID(), knownEpoch: nil, cursor: 0, pageSize: 0, changes: [])),
            .response(SyncResponse(epoch: UUID(), serverTime: .zero, acknowledged: 0, cursor: 0, hasMore: false)),
            .error(ErrorMessage(code: .unauthorized, message: "")),
        ]
        for m in messages { #expect(try Frame.decode(Frame.encode(m)) == m) }
    }

    @Test func varintsAndZigZagCoverTheirWholeRange() throws {
        let values: [UInt64] = [0, 1, 127, 128, 255, 16_383, 16_384, UInt64(UInt32.max), 1 << 62, .max - 1, .max]
        var w = ByteWriter()
        for v in values { w.writeVarInt(v); w.writeZigZag(Int64(bitPattern: v)) }
        var r = ByteReader(w.bytes)
        for v in values {
            #expect(try r.readVarInt() == v)
            #expect(try r.readZigZag() == Int64(bitPattern: v))
        }
        #expect(r.isAtEnd)
        #expect(w.bytes.count < values.count * 20)
    }
}
