import Foundation
import Testing
import GSPPipeline

@Suite struct JSONTextTests {
    /// Every string, hostile ones included, parses back to itself with Foundation's JSON reader.
    @Test(arguments: [false, true])
    func quotedStringsParseBackToThemselves(htmlSafe: Bool) throws {
        let samples = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{1f}",
                       "</script><script>alert(1)</script>", "line\u{2028}sep\u{2029}", "👩‍👩‍👧 e\u{301} 中文 עברית"]
        for sample in samples {
            let text = JSONText.quoted(sample, htmlSafe: htmlSafe)
            let back = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
            #expect(back == sample, "\(text)")
            if htmlSafe { #expect(!text.contains("<") && !text.contains(">")) }
        }
    }
}
