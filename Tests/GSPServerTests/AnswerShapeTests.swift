import Foundation
import Testing
import GSPCore
import GSPServer
import GSPTestSupport

/// Every key a server answer documents is there, and a stamp has one written form.
@Suite struct AnswerShapeTests {
    @Test func whoAmIGivesANullRegionRatherThanNoKey() async throws {
        let fixture = try ServerFixture()
        let answer = try await fixture.send("GET", "/v1/whoami", token: fixture.tokens["alice"])
        let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        #expect(object?.keys.sorted() == ["name", "region", "role"])
        #expect(object?["region"] is NSNull)
    }

    @Test func conflictStampsAreTheDecimal64BitValue() throws {
        let stamp = HLC(milliseconds: 1_796_364_475_009, counter: 3)
        let side = ConflictSide(value: .text("x"), hlc: stamp, node: NodeID(), user: "alice")
        let record = ConflictRecord(key: FieldKey(table: "deals", row: RowID(), field: "title"), winning: side, losing: side, detected: Date())
        let text = String(decoding: try JSONEncoder().encode(ConflictJSON(record)), as: UTF8.self)
        #expect(text.contains("\"hlc\":\"\(stamp.rawValue)\""), "\(text)")
    }
}
