import Foundation
import GSPCore

/// Measures what the wire format costs per change, against JSON compressed with the same
/// deflate (what a JSON+gzip protocol would send, give or take gzip's 12 extra header bytes).
/// Used by the tests' report and by `gsp-bench`.
public enum WireStats {
    public struct Report: Sendable, CustomStringConvertible {
        public var changes: Int
        public var frames: Int
        public var wireBytes: Int
        public var jsonGzipBytes: Int
        public var wireBytesPerChange: Double { Double(wireBytes) / Double(max(changes, 1)) }
        public var jsonGzipBytesPerChange: Double { Double(jsonGzipBytes) / Double(max(changes, 1)) }
        public var ratio: Double { Double(jsonGzipBytes) / Double(max(wireBytes, 1)) }

        public var description: String {
            func f(_ x: Double) -> String { String(format: "%.2f", x) }
            return "\(changes) changes in \(frames) frames: wire \(wireBytes) B (\(f(wireBytesPerChange)) B/change), "
                + "JSON+gzip \(jsonGzipBytes) B (\(f(jsonGzipBytesPerChange)) B/change), \(f(ratio))x smaller"
        }
    }

    /// Sends `changes` as pull responses of at most `perFrame` changes each.
    public static func pull(_ changes: [Change], perFrame: Int = Limits.standard.changesPerFrame) -> Report {
        var report = Report(changes: changes.count, frames: 0, wireBytes: 0, jsonGzipBytes: 0)
        var start = 0
        repeat {
            let page = Array(changes[start..<min(start + perFrame, changes.count)])
            start += perFrame
            let response = SyncResponse(epoch: UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
                                        serverTime: page.last?.hlc ?? .zero, acknowledged: 0, changes: page,
                                        cursor: UInt64(start), hasMore: start < changes.count)
            report.frames += 1
            report.wireBytes += Frame.encodeBytes(.response(response)).count
            report.jsonGzipBytes += gzipSize(json(page.map { ($0, nil) }))
        } while start < changes.count
        return report
    }

    /// Sends `changes` as one push request, numbered 1, 2, 3...
    public static func push(_ changes: [Change], node: NodeID) -> Report {
        let pushed = changes.enumerated().map { PushedChange(seq: UInt64($0.offset + 1), change: $0.element) }
        let request = SyncRequest(node: node, knownEpoch: nil, cursor: 0, pageSize: 1000, changes: pushed)
        return Report(changes: changes.count, frames: 1, wireBytes: Frame.encodeBytes(.request(request)).count,
                      jsonGzipBytes: gzipSize(json(pushed.map { ($0.change, $0.seq) })))
    }

    static func gzipSize(_ bytes: [UInt8]) -> Int {
        var out: [UInt8] = []
        Compression.deflate(bytes, level: 6, appendingTo: &out)
        return out.count + 12  // gzip's 18-byte wrapper instead of zlib's 6
    }

    /// The changes as a plain JSON array, the way a JSON protocol would carry them.
    static func json(_ changes: [(Change, UInt64?)]) -> [UInt8] {
        var s = "["
        for (i, (c, seq)) in changes.enumerated() {
            if i > 0 { s += "," }
            s += "{"
            if let seq { s += "\"seq\":\(seq)," }
            s += "\"table\":\"\(c.table)\",\"row\":\"\(c.row.lowercased)\",\"field\":\"\(c.field)\",\"value\":"
            switch c.value {
            case .null: s += "null"
            case .integer(let v): s += String(v)
            case .money(let m): s += "{\"minor\":\(m.minorUnits),\"currency\":\"\(m.currency)\"}"
            case .real(let d): s += String(d)
            case .text(let t): s += "\"\(t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            case .date(let d): s += "\"\(d)\""
            case .bool(let b): s += b ? "true" : "false"
            }
            s += ",\"hlc\":\(c.hlc.rawValue),\"node\":\"\(c.node)\",\"prev\":\(c.prev.rawValue)}"
        }
        s += "]"
        return Array(s.utf8)
    }
}
