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
}
