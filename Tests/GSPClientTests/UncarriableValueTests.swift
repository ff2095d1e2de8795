import Foundation
import Testing
@testable import GSPClient
import GSPCore
import GSPStore
import GSPTestSupport

/// A value over the wire's string limit used to be stored and left pending forever, blocking
/// every later change of the replica (the server answered 413 even to a round of one change).
/// Every local write refuses it now, naming the field and the limit, and changes nothing.
@Suite struct UncarriableValueTests {
    static let tooLong = String(repeating: "x", count: ValueLimits.stringBytes + 1)

    @Test func everyWriteRefusesATextOverTheStringLimitAndChangesNothing() throws {
        let r = try TestReplica()
        let deal = try r.replica.createDeal(title: "Deal", account: "Acme")
        let before = try ReplicaSnapshot(r.replica)
        let attempts: [(String, () throws -> Void)] = [
            ("write", { try r.replica.write([FieldWrite(.deals, deal, "next_step", .text(Self.tooLong))]) }),
            ("a field of an unknown table", { try r.replica.write([FieldWrite(table: "notes", row: RowID(), field: "body", value: .text(Self.tooLong))]) }),
            ("setDealFields", { try r.replica.setDealFields(deal.lowercased, [(field: "next_step", text: Self.tooLong)]) }),
            ("createDeal", { _ = try r.replica.createDeal(title: Self.tooLong, account: "Acme") }),
            ("importStamped", { _ = try r.replica.importStamped([StampedWrite(FieldWrite(.deals, deal, "notes", .text(Self.tooLong)), milliseconds: 1)]) }),
        ]
        for (name, attempt) in attempts {
            let error = #expect(throws: ReplicaError.self, "\(name)") { try attempt() }
            #expect(error?.code == .invalidValue)
            #expect(error?.message.contains("1,114,112") == true, "\(name): \(error?.message.prefix(300) ?? "")")
            #expect(error?.message.contains("nothing was changed") == true)
            #expect(try ReplicaSnapshot(r.replica) == before, "\(name) changed the replica")
        }
        // At the limit is legal (a 1 MiB text value is).
        try r.replica.write([FieldWrite(.deals, deal, "next_step", .text(String(repeating: "y", count: ValueLimits.stringBytes)))])
    }

    @Test func theMessageNamesTheField() throws {
        let r = try TestReplica()
        let deal = try r.replica.createDeal(title: "Deal", account: "Acme")
        let error = #expect(throws: ReplicaError.self) { try r.replica.write([FieldWrite(.deals, deal, "next_step", .text(Self.tooLong))]) }
        #expect(error?.message.hasPrefix("deals.next_step: the text is 1,114,113 bytes, over the limit of 1,114,112 bytes") == true)
        #expect((error?.message.count ?? .max) < 300, "the message does not carry the value")
    }
}
