import Foundation
import Testing
import GSPCore
import GSPTestSupport

@Suite struct IdentifierTextTests {
    @Test func handFormattedTextEqualsFoundationsAndNodeOrderIsUnsignedBytes() {
        var rng = SeededGenerator(seed: TestSeed.derive(77_000))
        let edges = [[UInt8](repeating: 0, count: 16), [UInt8](repeating: 0xFF, count: 16), [0x80] + [UInt8](repeating: 0x7F, count: 15)]
        let ids = edges.map(UUID.init(bytes:)) + (0..<500).map { _ in UUID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for id in ids {
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(NodeID(id).description == id.uuidString.lowercased())
        }
        for (a, b) in zip(ids, ids.reversed()) {
            #expect((NodeID(a) < NodeID(b)) == a.bytes.lexicographicallyPrecedes(b.bytes))
        }
    }

    /// The hand parser reads what `lowercased` and Foundation write, in either case, and
    /// whatever it reads, Foundation reads the same. It is stricter (Foundation's sscanf takes
    /// " 7" for "07"); callers fall back to Foundation, so nothing it refuses is lost.
    @Test func handParsedCanonicalTextEqualsFoundations() {
        var rng = SeededGenerator(seed: TestSeed.derive(77_001))
        func parse(_ text: String) -> UUID? { Array(text.utf8).withUnsafeBytes { UUID(canonicalUTF8: $0) } }
        for _ in 0..<500 {
            let id = UUID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
            #expect(parse(id.lowercased) == id)
            #expect(parse(id.uuidString) == id)
        }
        let good = "0123abcd-89ef-4567-89ab-cdef01234567"
        var broken = [good + "0", String(good.dropLast()), good.replacingOccurrences(of: "-", with: "x"), " " + good.dropFirst(),
                      "g" + good.dropFirst(), String(good.prefix(8)) + "-" + good.dropFirst(9).replacingOccurrences(of: "-", with: "0"), ""]
        for _ in 0..<300 {  // one character of a valid id replaced by a random printable one
            var bytes = Array(good.utf8)
            bytes[Int.random(in: 0..<36, using: &rng)] = UInt8.random(in: 0x20...0x7E, using: &rng)
            broken.append(String(decoding: bytes, as: UTF8.self))
        }
        for text in broken {
            if let parsed = parse(text) { #expect(parsed == UUID(uuidString: text), "\(text)") }
        }
        #expect(parse(String(good.dropLast(2)) + " 7") == nil && UUID(uuidString: String(good.dropLast(2)) + " 7") != nil)
    }
}
