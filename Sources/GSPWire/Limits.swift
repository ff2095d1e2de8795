import GSPCore

/// The hard limits of one frame (SPEC.md, "Limits"). A frame over any of them is refused
/// with `tooLarge` before anything is allocated for it.
public struct Limits: Sendable, Equatable {
    /// The whole frame as received, header included.
    public var compressedBytes: Int
    /// The message body after inflating.
    public var inflatedBytes: Int
    /// Entries of any one list in a message (changes, refusals, dropped rows, node directory).
    public var changesPerFrame: Int
    /// UTF-8 bytes of any one string (text values, names, messages).
    public var stringBytes: Int
    /// Entries of any one per-frame table (strings, row ids, node ids).
    public var tableEntries: Int

    public init(compressedBytes: Int, inflatedBytes: Int, changesPerFrame: Int, stringBytes: Int, tableEntries: Int) {
        self.compressedBytes = compressedBytes
        self.inflatedBytes = inflatedBytes
        self.changesPerFrame = changesPerFrame
        self.stringBytes = stringBytes
        self.tableEntries = tableEntries
    }

    /// The limits of protocol version 1: 16 MiB frame, 64 MiB body, 200,000 entries per list,
    /// 1,114,112-byte strings (so a 1 MiB text value is legal), 1,048,576 table entries.
    public static let standard = Limits(compressedBytes: 16 << 20, inflatedBytes: 64 << 20, changesPerFrame: 200_000,
                                        stringBytes: ValueLimits.stringBytes, tableEntries: 1 << 20)
}
