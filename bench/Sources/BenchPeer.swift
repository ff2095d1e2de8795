import Foundation
import GSPCore
import GSPWire

/// The peer comparison: the same workload merged by GSP Sync and by Loro, each in its own
/// process (so peak memory is the merge's own), each checked against the expected state.
enum BenchPeer {
    static let seed: UInt64 = 20_260_101

    static func run(_ bench: Bench, python: String) throws {
        let (replicas, updates, deals) = bench.quick ? (10, 100, 1_000) : (100, 1_000, 10_000)
        bench.section("peer: \(replicas) replicas x \(updates) updates over \(deals) deals x 12 fields, merged into one")
        let workload = PeerWorkload(replicas: replicas, updates: updates, deals: deals, seed: seed)
        let expectedDigest = workload.expectedDigest
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gsp-bench-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // The base as the replicas pulled it, and each replica's edits as the push it sends.
        let base = workload.baseChanges
        let epoch = UUID(uuid: (9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9))
        let pull = SyncResponse(epoch: epoch, serverTime: base.last!.hlc, acknowledged: 0, changes: base,
                                cursor: UInt64(base.count), hasMore: false)
        try Data(Frame.encodeBytes(.response(pull))).write(to: folder.appendingPathComponent("base.frame"))
        var pushBytes = 0
        for r in 0..<replicas {
            let pushed = workload.changes(replica: r).enumerated().map { PushedChange(seq: UInt64($0.offset + 1), change: $0.element) }
            let request = SyncRequest(node: workload.nodes[r], knownEpoch: epoch, cursor: UInt64(base.count),
                                      pageSize: 1_000, changes: pushed)
            let frame = Frame.encodeBytes(.request(request))
            pushBytes += frame.count
            try Data(frame).write(to: folder.appendingPathComponent(String(format: "push-%04d.frame", r)))
        }
        let ours = try mergeInChild(folder: folder, runs: bench.runs)
        try verify(ours.digest == expectedDigest, "GSP Sync's merged state differs from the expected state")
        let ourBytes = Double(pushBytes) / Double(replicas * updates)

        guard let loro = runLoro(python: python, replicas: replicas, updates: updates, deals: deals, runs: bench.runs, bench: bench) else {
            bench.record(Figure(section: "peer", name: "merge (decode + MergedState)", unit: "s", value: ours.seconds))
            bench.record(Figure(section: "peer", name: "bytes per field update (push frames)", unit: "B", value: ourBytes))
            bench.record(Figure(section: "peer", name: "merge process peak memory", unit: "MiB", value: ours.peakMiB))
            return
        }
        try verify(loro.expectedDigest == expectedDigest, "Loro's workload is not the same as ours (expected digests differ)")
        let reference = "Loro \(loro.loroVersion)"
        bench.record(Figure(section: "peer", name: "merge (decode + MergedState)", unit: "s", value: ours.seconds,
                            reference: reference + " import_batch", referenceValue: loro.mergeSeconds,
                            aim: "faster than Loro", met: ours.seconds < loro.mergeSeconds))
        bench.record(Figure(section: "peer", name: "bytes per field update (push frames)", unit: "B", value: ourBytes,
                            reference: reference + " updates", referenceValue: loro.bytesPerUpdate,
                            aim: "smaller than Loro", met: ourBytes < loro.bytesPerUpdate))
        bench.record(Figure(section: "peer", name: "merge process peak memory (VmHWM)", unit: "MiB", value: ours.peakMiB,
                            reference: reference + " (Python process)", referenceValue: loro.peakMiB))
        bench.record(Figure(section: "peer", name: "merge memory above process baseline", unit: "MiB",
                            value: ours.peakMiB - ours.baselineMiB, reference: reference,
                            referenceValue: loro.peakMiB - loro.baselineMiB))
    }

    struct Measured: Decodable {
        var seconds: Double
        var peakMiB: Double
        var baselineMiB: Double
        var digest: String
    }

    static func mergeInChild(folder: URL, runs: Int) throws -> Measured {
        let output = try runProcess(CommandLine.arguments[0], ["peer-merge", folder.path, String(runs)])
        return try JSONDecoder().decode(Measured.self, from: output)
    }

    struct Loro: Decodable {
        var loroVersion: String
        var bytesPerUpdate: Double
        var expectedDigest: String
        var mergeSeconds: Double
        var peakMiB: Double
        var baselineMiB: Double
        enum CodingKeys: String, CodingKey {
            case loroVersion = "loro_version", bytesPerUpdate = "bytes_per_update", expectedDigest = "expected_digest"
            case mergeSeconds = "merge_seconds", peakMiB = "peak_mib", baselineMiB = "baseline_mib"
        }
    }

    /// Loro's side, or nil (with a note saying why) when its virtual environment is not there.
    static func runLoro(python: String, replicas: Int, updates: Int, deals: Int, runs: Int, bench: Bench) -> Loro? {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            bench.note("Loro peer skipped: \(python) not found (scripts/bench.sh creates bench/.venv and installs loro from PyPI)")
            return nil
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peer/loro_peer.py").path
        let path = FileManager.default.fileExists(atPath: script) ? script : "bench/peer/loro_peer.py"
        do {
            let output = try runProcess(python, [path, "\(replicas)", "\(updates)", "\(deals)", "\(seed)", "\(runs)"])
            return try JSONDecoder().decode(Loro.self, from: output)
        } catch {
            bench.note("Loro peer failed: \(error)")
            return nil
        }
    }

    /// Runs a program to completion and returns its standard output; stderr passes through.
    static func runProcess(_ program: String, _ args: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(description: "\(program) \(args.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }
}

/// The Swift side of the peer merge, alone in its process: load the frames, merge, check, report.
enum PeerMergeProcess {
    static func run(folder: URL, runs: Int) throws {
        let baseline = Machine.memoryMiB(pid: nil, field: "VmRSS:")
        let base = try Data(contentsOf: folder.appendingPathComponent("base.frame"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("push-") }.sorted()
        let pushes = try names.map { try [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) }
        guard case .response(let pulled) = try Frame.decode(base) else { throw BenchFailure(description: "base.frame is not a response") }
        var baseState = MergedState()
        baseState.apply(pulled.changes)
        var times: [Double] = []
        var merged = baseState
        for _ in 0..<runs {
            var state = baseState
            let start = DispatchTime.now().uptimeNanoseconds
            for push in pushes {
                guard case .request(let request) = try Frame.decode(push) else { throw BenchFailure(description: "a push is not a request") }
                for pushed in request.changes { state.apply(pushed.change) }
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            merged = state
        }
        let peak = Machine.peakMemoryMiB()
        // Rebuild the row order from the base frame: the digest walks deals in the base's order.
        var rows: [RowID] = []
        for change in pulled.changes where rows.last != change.row { rows.append(change.row) }
        let digest = PeerWorkload.digest(rows: rows, state: PeerWorkload.table(rows: rows, merged: merged.winners.mapValues(\.value)))
        let result: [String: Any] = ["seconds": Bench.median(times), "peakMiB": peak, "baselineMiB": baseline, "digest": digest]
        FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: result))
    }
}
