import Foundation
import Testing
import GSPCore

@Suite struct IdentifierTests {
    /// The hand-written formatter must spell exactly what Foundation does, lower-cased.
    @Test func lowercasedMatchesFoundation() {
        let edges = [UUID(bytes: Array(repeating: 0, count: 16)), UUID(bytes: Array(repeating: 0xFF, count: 16)),
                     UUID(bytes: (0..<16).map { UInt8($0 * 17) })]
        for uuid in edges + (0..<200).map({ _ in UUID() }) {
            #expect(uuid.lowercased == uuid.uuidString.lowercased())
            #expect(NodeID(uuid).description == uuid.uuidString.lowercased())
        }
    }
}
