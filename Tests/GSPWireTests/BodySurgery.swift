import GSPWire

/// A body split into its length-prefixed sections, to build frames a newer or broken writer would send.
struct BodySections {
    var sections: [[UInt8]]

    init(_ body: [UInt8]) throws {
        var reader = ByteReader(body)
        sections = []
        while !reader.isAtEnd {
            let length = Int(try reader.readVarInt())
            var section: [UInt8] = []
            for _ in 0..<length { section.append(try reader.readByte()) }
            sections.append(section)
        }
    }

    var body: [UInt8] {
        var w = ByteWriter()
        for s in sections { w.writeSection { $0.writeBytes(s) } }
        return w.bytes
    }
}
