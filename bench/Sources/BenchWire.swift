import Foundation
import GSPCore
import GSPWire

/// Bytes on the wire next to JSON+gzip of the same changes, and codec throughput next to
/// raw zlib on the same bytes. Every encoded frame is decoded back and compared.
enum BenchWire {
    static func run(_ bench: Bench) throws {
        bench.section("wire: bytes per change")
        let (rep, day) = WireStats.repDay(changes: 200, deals: 40)
        let push = WireStats.push(day, node: rep)
        try verifyPush(day, node: rep)
        bench.record(Figure(section: "wire", name: "rep's day push (200 changes, 40 deals)", unit: "B/change",
                            value: push.wireBytesPerChange, reference: "JSON+gzip", referenceValue: push.jsonGzipBytesPerChange,
                            aim: "<= 1/5 of JSON+gzip", met: push.ratio >= 5))

        let count = bench.quick ? 20_000 : 1_000_000
        let deals = bench.quick ? 1_000 : 50_000
        let history = WireStats.pipelineHistory(changes: count, deals: deals)
        for pageSize in [1_000, bench.quick ? 20_000 : 100_000] {
            let pull = WireStats.pull(history, perFrame: pageSize)
            let name = "bulk pull, \(count) changes over \(deals) deals, pages of \(pageSize)"
            bench.record(Figure(section: "wire", name: name, unit: "B/change", value: pull.wireBytesPerChange,
                                reference: "JSON+gzip", referenceValue: pull.jsonGzipBytesPerChange,
                                aim: "<= 12 B/change", met: pull.wireBytesPerChange <= 12))
            bench.record(Figure(section: "wire", name: name + ": JSON+gzip / wire", unit: "x smaller", value: pull.ratio,
                                aim: ">= 5x smaller than JSON+gzip", met: pull.ratio >= 5))
        }

        bench.section("wire: encode/decode throughput (\(count) changes, pages of 10,000, deflate level 1 as the server sends)")
        let pages = stride(from: 0, to: history.count, by: 10_000).map { start in
            response(Array(history[start..<min(start + 10_000, history.count)]), cursor: UInt64(start))
        }
        let bodies = pages.map { Frame.encodeBody(.response($0)) }
        let bodyBytes = Double(bodies.reduce(0) { $0 + $1.count })
        var frames: [[UInt8]] = []
        let encode = bench.median { frames = pages.map { Frame.encodeBytes(.response($0), level: 1) } }
        var rawDeflated: [[UInt8]] = []
        let deflate = bench.median { rawDeflated = bodies.map { RawZlib.deflate($0, level: 1) } }
        try verify(zip(rawDeflated, bodies).allSatisfy { RawZlib.inflate($0[...], size: $1.count) == $1 }, "raw zlib round trip")

        var decoded: [Message] = []
        let decode = try bench.median { decoded = try frames.map { try Frame.decode($0) } }
        try verify(decoded == pages.map { .response($0) }, "decoded frames differ from the encoded pages")
        // The same compressed bodies, inflated by zlib alone (the frame header stripped).
        let streams = frames.map { frame in frame[(frame.count - compressedLength(frame))...] }
        var inflated: [[UInt8]] = []
        let inflate = bench.median { inflated = zip(streams, bodies).map { RawZlib.inflate($0, size: $1.count) } }
        try verify(inflated == bodies, "raw inflate differs from the encoded bodies")

        let mb = bodyBytes / 1e6
        bench.record(Figure(section: "wire", name: "encode (records + deflate 1)", unit: "MB/s", value: mb / encode,
                            reference: "raw zlib deflate 1 of the same bodies", referenceValue: mb / deflate))
        bench.record(Figure(section: "wire", name: "encode", unit: "changes/s", value: Double(count) / encode,
                            reference: "raw zlib deflate 1", referenceValue: Double(count) / deflate))
        bench.record(Figure(section: "wire", name: "decode (inflate + records, checked)", unit: "MB/s", value: mb / decode,
                            reference: "raw zlib inflate of the same streams", referenceValue: mb / inflate,
                            aim: ">= 50% of raw inflate", met: inflate / decode >= 0.5))
        bench.record(Figure(section: "wire", name: "decode", unit: "changes/s", value: Double(count) / decode,
                            reference: "raw zlib inflate", referenceValue: Double(count) / inflate))
    }

    static func response(_ changes: [Change], cursor: UInt64) -> SyncResponse {
        SyncResponse(epoch: UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
                     serverTime: changes.last?.hlc ?? .zero, acknowledged: 0, changes: changes,
                     cursor: cursor + UInt64(changes.count), hasMore: true)
    }

    /// The zlib stream's length: the frame minus its header (magic, versions, kind, varint length).
    static func compressedLength(_ frame: [UInt8]) -> Int {
        var i = 7
        while frame[i] & 0x80 != 0 { i += 1 }
        return frame.count - (i + 1)
    }

    static func verifyPush(_ changes: [Change], node: NodeID) throws {
        let pushed = changes.enumerated().map { PushedChange(seq: UInt64($0.offset + 1), change: $0.element) }
        let request = SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1000, changes: pushed)
        let back = try Frame.decode(Frame.encodeBytes(.request(request)))
        try verify(back == .request(request), "the rep's day push does not decode to what was sent")
    }
}
