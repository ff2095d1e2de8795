import Foundation

/// Text values of one list of change records, by their bytes in the body: field values
/// repeat a lot (stages, regions, accounts, next steps), and a repeat found here costs a
/// hash and a compare instead of UTF-8 validation and a new string (often an allocation).
/// Decoded strings then also share storage.
struct TextCache {
    /// Where each slot's text lies in the body, and the text; direct-mapped, last one wins.
    private var starts: [Int]
    private var counts: [Int]
    private var texts: [String]
    private let shift: UInt64
    /// Longer texts are rarely repeats; they are decoded without the cache.
    static let maxBytes = 64

    /// A cache sized for a list of `expected` records: from 16 to 1,024 slots.
    init(expected: Int) {
        var bits = 4
        while bits < 10 && (1 << bits) < expected { bits += 1 }
        starts = []
        counts = []
        texts = []
        shift = UInt64(64 - bits)
    }

    /// The text of `count` bytes at `start` of the body at `base`; nil when not valid UTF-8.
    @inline(__always)
    mutating func text(base: UnsafePointer<UInt8>, at start: Int, count: Int) -> String? {
        let bytes = UnsafeBufferPointer(start: base + start, count: count)
        guard count <= Self.maxBytes, count > 0 else { return UTF8Text.validated(bytes) }
        if texts.isEmpty {
            // Allocated on the first text, so lists without text pay nothing.
            let slots = 1 << (64 - Int(shift))
            starts = Array(repeating: 0, count: slots)
            counts = Array(repeating: 0, count: slots)
            texts = Array(repeating: "", count: slots)
        }
        let slot = Int(truncatingIfNeeded: Self.hash(base + start, count) >> shift)
        if counts[slot] == count && Self.same(base + starts[slot], base + start, count) { return texts[slot] }
        guard let text = UTF8Text.validated(bytes) else { return nil }
        (starts[slot], counts[slot], texts[slot]) = (start, count, text)
        return text
    }

    /// Whether `count` bytes at `a` and `b` are equal; 8 to 16 bytes take two word compares, not a call.
    @inline(__always)
    private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard count >= 8 && count <= 16 else { return memcmp(a, b, count) == 0 }
        func word(_ p: UnsafePointer<UInt8>) -> UInt64 { UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
        return word(a) == word(b) && word(a + count - 8) == word(b + count - 8)
    }

    /// A multiplicative hash of the length, the first and the last (up to) 8 bytes.
    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if count >= 8 {
            head = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            tail = UnsafeRawPointer(p + count - 8).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<count { head = head << 8 | UInt64(p[i]) }
        }
        return ((head &* 0x9E37_79B9_7F4A_7C15) ^ (tail &+ UInt64(count))) &* 0xBF58_476D_1CE4_E5B9
    }
}
