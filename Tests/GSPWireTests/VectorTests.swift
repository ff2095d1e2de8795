import Foundation
import Testing
import GSPTestSupport
import GSPCore
@testable import GSPWire

/// The committed vectors are the golden truth: the encoder must still produce them byte for
/// byte, the decoder must read them back, and the Python checker must agree.
/// `GSP_WRITE_VECTORS=1` rewrites them from VectorCatalog instead (then review the git diff).
@Suite(.serialized) struct VectorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let vectors = root.appendingPathComponent("protocol/vectors")
    static let writing = ProcessInfo.processInfo.environment["GSP_WRITE_VECTORS"] == "1"

    static func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: vectors.appendingPathComponent(name))) }

    @Test func validVectorsAreReproducedAndDecoded() throws {
        if Self.writing { try FileManager.default.createDirectory(at: Self.vectors, withIntermediateDirectories: true) }
        for vector in VectorCatalog.valid {
            let frame = vector.frame
            let json = VectorJSON.render(vector.message, minor: vector.minor)
            if Self.writing {
                try Data(frame).write(to: Self.vectors.appendingPathComponent(vector.name + ".bin"))
                try Data(json.utf8).write(to: Self.vectors.appendingPathComponent(vector.name + ".json"))
                continue
            }
            let golden = try Self.read(vector.name + ".bin")
            #expect(golden == frame, "\(vector.name).bin is no longer what the encoder writes")
            let decoded = try Frame.decode(golden)
            #expect(decoded == vector.message, "\(vector.name).bin")
            #expect(VectorJSON.render(decoded, minor: golden[5]) == String(decoding: try Self.read(vector.name + ".json"), as: UTF8.self),
                    "\(vector.name).json")
        }
    }

    @Test func invalidVectorsAreRefusedWithTheirCode() throws {
        let dir = Self.vectors.appendingPathComponent("invalid")
        if Self.writing {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var manifest = "[\n"
            for (i, v) in VectorCatalog.invalid.enumerated() {
                try Data(v.frame).write(to: dir.appendingPathComponent(v.name + ".bin"))
                manifest += "  {\"file\": \"\(v.name).bin\", \"code\": \"\(v.code.name)\", \"codeValue\": \(v.code.rawValue), \"why\": \(VectorJSON.quote(v.why))}"
                manifest += i + 1 < VectorCatalog.invalid.count ? ",\n" : "\n"
            }
            try Data((manifest + "]\n").utf8).write(to: dir.appendingPathComponent("manifest.json"))
            return
        }
        for v in VectorCatalog.invalid {
            let golden = try Self.read("invalid/\(v.name).bin")
            #expect(golden == v.frame, "invalid/\(v.name).bin changed")
            do {
                _ = try Frame.decode(golden)
                Issue.record("invalid/\(v.name).bin was accepted")
            } catch {
                #expect(error.code == v.code, "invalid/\(v.name).bin: \(error)")
            }
        }
    }

    @Test func pythonCheckerAgrees() throws {
        let result = try GSPBinary.launch("/usr/bin/env", ["python3", Self.root.appendingPathComponent("protocol/conformance/check.py").path,
                                                           Self.vectors.path]).wait()
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "check.py failed:\n\(output)")
        let expected = VectorCatalog.valid.count + VectorCatalog.invalid.count
        #expect(output.contains("\(expected) passed, 0 failed"), "check.py said:\n\(output)")
    }
}
