import Foundation
import Testing
import GSPCore
import GSPTestSupport
@testable import GSPWire

@Suite struct CorruptionTests {
    static func sample(seed: UInt64) -> Message {
        var rng = SeededGenerator(seed: seed)
        var response = WireFixtures.response(using: &rng)
        response.changes += WireFixtures.changes(30, using: &rng)
        return .response(response)
    }

    static func decodeCode(_ bytes: [UInt8], limits: Limits = .standard) -> ErrorCode? {
        do { _ = try Frame.decode(bytes, limits: limits); return nil } catch { return error.code }
    }

    @Test func everyTruncationOfAFrameIsRefused() {
        for message in [Self.sample(seed: TestSeed.derive(401)), .error(ErrorMessage(code: .clockSkew, message: "ahead", serverTime: HLC(rawValue: 5)))] {
            let frame = Frame.encodeBytes(message)
            for length in 0..<frame.count {
                #expect(Self.decodeCode(Array(frame.prefix(length))) == .malformedFrame, "prefix of \(length) bytes")
            }
        }
    }

    @Test func everyTruncationOfABodyIsRefused() {
        let body = Frame.encodeBody(Self.sample(seed: TestSeed.derive(402)))
        for length in 0..<body.count {
            let frame = Frame.frame(kind: Frame.Kind.response, body: Array(body.prefix(length)), level: 1)
            #expect(Self.decodeCode(frame) != nil, "body prefix of \(length) bytes")
        }
    }

    @Test func bitFlipsInTheFrameAreCaught() {
        print("CorruptionTests: GSP_TEST_SEED=\(TestSeed.base)")
        var rng = SeededGenerator(seed: TestSeed.derive(403))
        let message = Self.sample(seed: TestSeed.derive(404))
        let frame = Frame.encodeBytes(message)
        for _ in 0..<3000 {
            var bad = frame
            let at = Int.random(in: 0..<bad.count, using: &rng)
            bad[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            // Only the minor version byte may change freely (readers accept any minor version),
            // and the padding bits after deflate's last block, which carry nothing.
            if let decoded = try? Frame.decode(bad) {
                #expect(at == 5 || decoded == message, "flip at byte \(at) of \(frame.count) changed the message unnoticed")
            }
        }
    }

    @Test func bitFlipsInTheBodyGiveAnErrorOrAMessageThatRoundTrips() throws {
        var rng = SeededGenerator(seed: TestSeed.derive(405))
        var refused = 0
        for round in 0..<3000 {
            let message = round % 2 == 0 ? Self.sample(seed: TestSeed.derive(406)) : WireFixtures.message(using: &rng)
            var body = Frame.encodeBody(message)
            guard !body.isEmpty else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                body[Int.random(in: 0..<body.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            }
            do {
                let decoded = try Frame.decode(Frame.frame(kind: message.kind, body: body, level: 1))
                #expect(try Frame.decode(Frame.encode(decoded)) == decoded)
            } catch {
                refused += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(refused > 1000)
    }

    @Test func aZipBombIsStoppedAtTheLimitWithoutInflatingIt() throws {
        let zeros = [UInt8](repeating: 0, count: 100_000_000)
        let honest = Frame.frame(kind: Frame.Kind.error, body: zeros, level: 9)
        #expect(honest.count < 200_000)
        // Declaring the real size: refused from the header, before inflating anything.
        #expect(throws: WireError(.tooLarge, "the body declares 100000000 bytes, over the limit of 67108864", offset: 7, region: .frame)) {
            try Frame.decode(honest)
        }
        // Declaring a small size: inflating stops one byte past it, early in the stream.
        var lying = Array(honest.prefix(7))
        var w = ByteWriter()
        w.writeVarInt(1000)
        lying += w.bytes + honest.dropFirst(7 + 4)  // 100,000,000 takes 4 varint bytes
        do {
            _ = try Frame.decode(lying)
            Issue.record("a lying zip bomb was accepted")
        } catch {
            #expect(error.code == .malformedFrame)
            #expect(error.offset < lying.count / 10, "stopped after \(error.offset) of \(lying.count) bytes")
        }
    }

    @Test func aZipBombDeclaringTheLimitStopsAtTheLimit() throws {
        // 100 MB of zeros declared as exactly the inflated-size limit (64 MiB): the decoder may
        // inflate up to the limit (so memory stays within it) and must stop there.
        let limit = Limits.standard.inflatedBytes
        let bomb = Frame.frame(kind: Frame.Kind.error, body: [UInt8](repeating: 0, count: 100_000_000), level: 9)
        var w = ByteWriter()
        w.writeVarInt(UInt64(limit))
        let atLimit = Array(bomb.prefix(7)) + w.bytes + bomb.dropFirst(7 + 4)
        do {
            _ = try Frame.decode(atLimit)
            Issue.record("a zip bomb declaring the limit was accepted")
        } catch {
            #expect(error.code == .malformedFrame)
            #expect(error.message.contains("inflates past the declared body length \(limit)"))
            // It stopped about two thirds into the stream (64 of 100 MB), not at its end.
            #expect(error.offset < atLimit.count * 3 / 4, "stopped after \(error.offset) of \(atLimit.count) bytes")
        }
    }

    @Test func hostileCountsAreRefusedBeforeAllocating() {
        for count in [UInt64(1) << 62, 1 << 20, 199_999] {
            var w = ByteWriter()
            w.writeSection { $0.writeVarInt(count) }  // a tables section claiming `count` strings and nothing else
            let code = Self.decodeCode(Frame.frame(kind: Frame.Kind.error, body: w.bytes))
            #expect(code == (count > UInt64(Limits.standard.tableEntries) ? .tooLarge : .malformedFrame))
        }
        // A declared body length at the limit with a tiny stream: refused without a 64 MiB buffer.
        var header = Array("GSPS".utf8) + [1, 0, 3]
        var w = ByteWriter()
        w.writeVarInt(UInt64(Limits.standard.inflatedBytes))
        header += w.bytes
        #expect(Self.decodeCode(header + Frame.frame(kind: 3, body: [0]).dropFirst(8)) == .malformedFrame)
    }

    @Test func limitsAreEnforced() {
        let small = Limits(compressedBytes: 400, inflatedBytes: 2000, changesPerFrame: 5, stringBytes: 10, tableEntries: 3)
        var rng = SeededGenerator(seed: TestSeed.derive(407))
        let node = NodeID()
        let six = (0..<6).map { i in Change(table: "deals", row: RowID(), field: "f", value: .integer(Int64(i)), hlc: HLC(rawValue: UInt64(i)), node: node) }
        let response = SyncResponse(epoch: UUID(), serverTime: .zero, acknowledged: 0, changes: Array(six.prefix(3)), cursor: 0, hasMore: false)
        #expect(Self.decodeCode(Frame.encodeBytes(.response(response)), limits: small) == nil)
        var tooMany = response
        tooMany.changes = six.map { var c = $0; c.row = six[0].row; return c }
        #expect(Self.decodeCode(Frame.encodeBytes(.response(tooMany)), limits: small) == .tooLarge)
        var manyRows = response
        manyRows.changes = Array(six.prefix(4))
        #expect(Self.decodeCode(Frame.encodeBytes(.response(manyRows)), limits: small) == .tooLarge)
        let long = Message.error(ErrorMessage(code: .forbidden, message: String(repeating: "é", count: 6)))
        #expect(Self.decodeCode(Frame.encodeBytes(long), limits: small) == .tooLarge)
        let random = (0..<600).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let big = Message.error(ErrorMessage(code: .forbidden, message: String(decoding: random.map { $0 & 0x3F | 0x40 }, as: UTF8.self)))
        #expect(Self.decodeCode(Frame.encodeBytes(big), limits: small) == .tooLarge)
        #expect(Self.decodeCode(Frame.encodeBytes(big)) == nil)
    }

    @Test func versionsAndKindsFollowTheRules() throws {
        let message = Self.sample(seed: TestSeed.derive(408))
        let body = Frame.encodeBody(message)
        #expect(Self.decodeCode(Frame.frame(kind: 2, body: body, major: 2)) == .unsupportedVersion)
        #expect(Self.decodeCode(Frame.frame(kind: 2, body: body, major: 0)) == .unsupportedVersion)
        #expect(Self.decodeCode(Frame.frame(kind: 4, body: body)) == .unknownMessageKind)
        #expect(Self.decodeCode(Frame.frame(kind: 0, body: body)) == .unknownMessageKind)
        #expect(try Frame.decode(Frame.frame(kind: 2, body: body, minor: 9)) == message)
        // A newer minor version: fields appended to every section, and a whole new section.
        var sections = try BodySections(body)
        for i in sections.sections.indices { sections.sections[i] += [0xFF, 0x01, 0x42] }
        sections.sections.append([7, 7, 7])
        #expect(try Frame.decode(Frame.frame(kind: 2, body: sections.body, minor: 1)) == message)
        // A missing section is not a newer version: it is a broken frame.
        sections.sections.removeLast(2)
        #expect(Self.decodeCode(Frame.frame(kind: 2, body: sections.body)) == .malformedFrame)
    }

    @Test func errorsNameWhatIsWrongAndWhere() {
        do {
            _ = try Frame.decode(Array("GSPX".utf8) + [1, 0, 1, 0])
            Issue.record("bad magic accepted")
        } catch {
            #expect(error.code == .malformedFrame)
            #expect(error.offset == 3)
            #expect(error.description.contains("magic"))
        }
        var w = ByteWriter()
        w.writeSection { $0.writeVarInt(0); $0.writeVarInt(0); $0.writeVarInt(0) }
        w.writeSection { $0.writeVarInt(1); $0.writeString("bad"); $0.writeByte(2) }
        do {
            _ = try Frame.decode(Frame.frame(kind: Frame.Kind.error, body: w.bytes))
            Issue.record("a server time flag of 2 was accepted")
        } catch {
            #expect(error.region == .body)
            #expect(error.offset == 10)
            #expect(error.message.contains("server time flag"))
        }
    }
}
