import Foundation
import Testing
import GSPCore
import GSPTestSupport
@testable import GSPWire

/// The fast change-record reader must accept exactly what the checked reader accepts: the same
/// changes from the same bytes, or the same error (code, message, offset) for broken bytes.
@Suite struct ChangeRecordFastPathTests {
    /// A tables section, then the records (each after a sequence delta when `sequenced`).
    static func body(_ changes: [Change], sequenced: Bool) -> [UInt8] {
        var tables = TableBuilder()
        var records = ByteWriter()
        var writer = ChangeWriter()
        for (i, change) in changes.enumerated() {
            if sequenced { records.writeVarInt(UInt64(i % 3 == 0 ? 1 : 1000)) }
            writer.write(change, into: &records, tables: &tables)
        }
        var body = ByteWriter()
        tables.write(into: &body)
        body.writeBytes(records.bytes)
        return body.bytes
    }

    typealias Decoded = Result<[PushedChange], WireError>

    static func decode(_ body: [UInt8], count: Int, sequenced: Bool, fast: Bool) -> Decoded {
        var r = ByteReader(body)
        do throws(WireError) {
            let tables = try FrameTables.read(from: &r)
            if fast {
                return .success(try ChangeReader.readList(count: count, from: &r, tables: tables, sequenced: sequenced) {
                    PushedChange(seq: $0, change: $1)
                })
            }
            var records = ChangeReader()
            var seq: UInt64 = 0
            var list: [PushedChange] = []
            for _ in 0..<count {
                if sequenced { seq = seq &+ (try r.readVarInt("local sequence delta")) }
                list.append(PushedChange(seq: seq, change: try records.readChecked(from: &r, tables: tables)))
            }
            return .success(list)
        } catch {
            return .failure(error)
        }
    }

    static func lists(seed: UInt64) -> [[Change]] {
        var rng = SeededGenerator(seed: seed)
        var long = WireFixtures.changes(5, using: &rng)
        long[2].value = .text(String(repeating: "long text beyond the cache ", count: 4))
        long[4].value = .text(String(repeating: "é", count: 40))
        return [WireFixtures.changes(60, using: &rng), WireStats.pipelineHistory(changes: 300, deals: 20, seed: seed), long]
    }

    @Test func bothReadersAgreeOnGoodAndBrokenRecords() {
        let seed = TestSeed.derive(501)
        print("ChangeRecordFastPathTests: GSP_TEST_SEED=\(TestSeed.base)")
        var rng = SeededGenerator(seed: seed)
        var refused = 0
        for changes in Self.lists(seed: seed) {
            for sequenced in [false, true] {
                let good = Self.body(changes, sequenced: sequenced)
                let decoded = Self.decode(good, count: changes.count, sequenced: sequenced, fast: true)
                #expect((try? decoded.get().map(\.change)) == changes)
                #expect(decoded == Self.decode(good, count: changes.count, sequenced: sequenced, fast: false))
                for round in 0..<600 {
                    var bad = good
                    var count = changes.count
                    switch round % 4 {
                    case 0: bad.removeLast(Int.random(in: 1...bad.count, using: &rng))
                    case 1: count += 1
                    case 2: bad[Int.random(in: 0..<bad.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    default:
                        for _ in 0..<Int.random(in: 1...3, using: &rng) {
                            bad[Int.random(in: 0..<bad.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                        }
                    }
                    let fast = Self.decode(bad, count: count, sequenced: sequenced, fast: true)
                    #expect(fast == Self.decode(bad, count: count, sequenced: sequenced, fast: false), "round \(round)")
                    if case .failure = fast { refused += 1 }
                }
            }
        }
        #expect(refused > 1000)
    }

    @Test func varintsOfEveryLengthAndNonMinimalOnesAtTheEndOfTheBuffer() {
        // A lone record whose HLC delta is written with every varint length, then padded the
        // non-minimal way; the word-at-a-time path and the byte loop must agree near the end.
        let node = NodeID(UUID(bytes: Array(repeating: 7, count: 16)))
        for ms: UInt64 in [0, 1, 63, 64, 8_191, 8_192, 1 << 20, 1 << 27, 1 << 34, 1 << 41, (1 << 47) - 1] {
            // With a text value, at least 8 bytes follow each varint (the word-at-a-time path).
            let texted = Change(table: "deals", row: UUID(bytes: Array(repeating: 1, count: 16)), field: "f",
                                value: .text("more than eight bytes"), hlc: HLC(milliseconds: ms), node: node)
            let wide = Self.body([texted], sequenced: false)
            #expect((try? Self.decode(wide, count: 1, sequenced: false, fast: true).get().map(\.change)) == [texted])
            var change = texted
            change.value = .null
            let good = Self.body([change], sequenced: false)
            #expect((try? Self.decode(good, count: 1, sequenced: false, fast: true).get().map(\.change)) == [change])
            // The value is null, so the record ends with the node reference; pad the body's
            // last varint (the node ref 0) into a non-minimal 0x80 0x00.
            let padded = Array(good.dropLast()) + [0x80, 0x00]
            let fast = Self.decode(padded, count: 1, sequenced: false, fast: true)
            #expect(fast == Self.decode(padded, count: 1, sequenced: false, fast: false))
            guard case .failure(let error) = fast else { Issue.record("a non-minimal varint was accepted"); continue }
            #expect(error.message.contains("not minimally encoded"))
        }
    }
}
