import Foundation
import Testing
import GSPTestSupport

/// Found by adversarial testing: text fields reach every replica in scope (a manager sees all
/// reps' deals) and were printed raw, so a title such as "\u{1B}]0;owned\u{07}\u{1B}[2J" ran as
/// terminal commands on whoever listed the deals (retitle the window, clear the screen, fake
/// lines with "\r"). Text output now shows control characters visibly; JSON escapes them and
/// CSV keeps the data as it is.
@Suite struct BreakerTerminalTests {
    @Test func controlCharactersInDataArePrintedVisiblyInTextOutput() throws {
        let dir = TemporaryDirectory("gsp-terminal")
        let replica = dir.path("r.sqlite")
        #expect(try GSPBinary.run(["init", "--user", "alice"], replica: replica).status == 0)
        let hostile = "Deal\u{1B}]0;owned\u{07}\u{1B}[2J\rFAKE\u{9B}x"
        let made = try GSPBinary.run(["deal", "new", "--account", "Acme\u{1B}[31m", "--title", hostile, "--region", "r\u{1B}[1m"], replica: replica)
        #expect(made.status == 0, "\(made.stderr)")
        let id = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for command in [["deal", "show", id], ["deal", "list"], ["report", "pipeline", "--local", "--group-by", "region"]] {
            let result = try GSPBinary.run(command, replica: replica)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\r" || $0 == "\u{9B}" },
                    "\(command): \(result.stdout.debugDescription)")
        }
        let shown = try GSPBinary.run(["deal", "show", id], replica: replica).stdout
        #expect(shown.contains("Deal^[]0;owned^G^[[2J^MFAKE"), "\(shown.debugDescription)")
        // JSON keeps the exact text (escaped by JSON itself).
        let json = try GSPBinary.run(["deal", "show", id, "--json"], replica: replica).stdout
        #expect(json.contains("\\u001b]0;owned"), "\(json.prefix(300).debugDescription)")
    }
}
