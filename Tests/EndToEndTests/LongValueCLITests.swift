import Foundation
import Testing
import GSPTestSupport

/// The gsp command line with values no sync can carry, and long ones it can: `gsp import csv`
/// once accepted a 1.2 MB cell (which then blocked every later sync of the replica), and
/// `gsp pending` printed whole megabyte values.
@Suite struct LongValueCLITests {
    @Test func anImportedCellOverTheLimitIsABadRowAndNothingIsImported() throws {
        let dir = TemporaryDirectory("gsp-poison")
        let replica = dir.path("a.sqlite")
        try Data(#"{ "source": "acme", "id": "ID", "fields": { "title": "Name", "account": "Account", "next_step": "Next" } }"#.utf8)
            .write(to: dir.url.appendingPathComponent("map.json"))
        try Data("ID,Name,Account,Next\n1,small deal,Acme,ok\n2,big deal,Acme,\(String(repeating: "x", count: 1_200_000))\n".utf8)
            .write(to: dir.url.appendingPathComponent("p.csv"))
        #expect(try GSPBinary.run(["init", "--user", "meg"], replica: replica).status == 0)
        let result = try GSPBinary.run(["import", "csv", dir.path("p.csv"), "--mapping", dir.path("map.json")], replica: replica)
        #expect(result.status == 1)
        #expect(result.stderr.contains("p.csv:3") && result.stderr.contains("deals.next_step") && result.stderr.contains("1,114,112"),
                "\(result.stderr.prefix(500))")
        #expect(result.stderr.count < 2_000, "the error does not print the cell")
        let pending = try GSPBinary.run(["pending", "--json"], replica: replica)
        #expect(pending.stdout.contains("\"total\": 0"), "\(pending.stdout.prefix(300))")
    }

    @Test func listingsShortenLongValues() throws {
        let dir = TemporaryDirectory("gsp-long")
        let replica = dir.path("a.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "meg"], replica: replica).status == 0)
        let created = try GSPBinary.run(["deal", "new", "--account", "Acme", "--title", "T", "--json"], replica: replica)
        let deal = try #require((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["deal"] as? String)
        let long = String(repeating: "y", count: 20_000)
        let set = try GSPBinary.run(["deal", "set", deal, "next_step=\(long)"], replica: replica)
        #expect(set.status == 0 && set.stdout.count < 1_000, "\(set.stdout.prefix(300))")
        for command in [["pending"], ["history", deal], ["deal", "show", deal]] {
            let out = try GSPBinary.run(command, replica: replica)
            #expect(out.status == 0)
            #expect(out.stdout.contains("(20,000 bytes in all)"), "\(command)")
            #expect(out.stdout.split(separator: "\n").allSatisfy { $0.count < 400 }, "\(command)")
        }
        // Machine output keeps the whole value.
        #expect(try GSPBinary.run(["pending", "--json"], replica: replica).stdout.contains(long))
    }
}
