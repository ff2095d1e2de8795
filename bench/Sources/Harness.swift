import Foundation

/// One measured figure, its same-run reference and how they compare.
struct Figure: Encodable {
    var section: String
    var name: String
    var unit: String
    var value: Double
    var reference: String?
    var referenceValue: Double?
    /// The reference's unit when it differs from the figure's.
    var referenceUnit: String?
    var aim: String?
    /// Whether the aim is met in this run; nil when the figure has no aim.
    var met: Bool?
    /// value / reference, as printed (for rates higher is better, for sizes and times lower).
    var ratio: Double? { referenceValue.map { $0 == 0 ? 0 : value / $0 } }

    init(section: String, name: String, unit: String, value: Double, reference: String? = nil,
         referenceValue: Double? = nil, referenceUnit: String? = nil, aim: String? = nil, met: Bool? = nil) {
        self.section = section
        self.name = name
        self.unit = unit
        self.value = value
        self.reference = reference
        self.referenceValue = referenceValue
        self.referenceUnit = referenceUnit
        self.aim = aim
        self.met = met
    }

    enum CodingKeys: String, CodingKey { case section, name, unit, value, reference, referenceValue, referenceUnit, aim, met, ratio }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(section, forKey: .section); try c.encode(name, forKey: .name); try c.encode(unit, forKey: .unit)
        try c.encode(value, forKey: .value); try c.encodeIfPresent(reference, forKey: .reference)
        try c.encodeIfPresent(referenceValue, forKey: .referenceValue)
        try c.encodeIfPresent(referenceUnit, forKey: .referenceUnit)
        try c.encodeIfPresent(aim, forKey: .aim); try c.encodeIfPresent(met, forKey: .met)
        try c.encodeIfPresent(ratio, forKey: .ratio)
    }
}

/// A benchmark that computed a wrong answer: the run fails, so a fast wrong answer cannot pass.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}

/// Fails the run unless `condition` holds; every timed workload checks its result with it.
func verify(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw BenchFailure(description: "wrong result: " + message()) }
}

/// Collects figures, prints them as they come, and writes JSON and a markdown table at the end.
final class Bench {
    let quick: Bool
    let runs: Int
    private(set) var figures: [Figure] = []
    /// Things the reader must know (a peer or a backend that could not run), printed with the table.
    private(set) var notes: [String] = []

    init(quick: Bool) {
        self.quick = quick
        runs = quick ? 1 : 5
    }

    /// Median wall time in seconds of `runs` runs of `body` (each run gets fresh state from `setup`).
    func median<S>(runs count: Int? = nil, setup: () throws -> S, _ body: (S) throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<(count ?? runs) {
            let state = try setup()
            let start = DispatchTime.now().uptimeNanoseconds
            try body(state)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Bench.median(times)
    }

    /// Median wall time of a body without separate setup.
    func median(runs count: Int? = nil, _ body: () throws -> Void) rethrows -> Double {
        try median(runs: count, setup: { () }) { _ in try body() }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    func record(_ f: Figure) {
        figures.append(f)
        var line = "  \(f.name): \(format(f.value)) \(f.unit)"
        if let r = f.reference, let rv = f.referenceValue {
            line += "   | \(r): \(format(rv)) \(f.referenceUnit ?? f.unit)   | ratio \(String(format: "%.2f", f.ratio ?? 0))"
        }
        if let aim = f.aim { line += "   (aim: \(aim): \(f.met == true ? "met" : "NOT met"))" }
        say(line)
    }

    func note(_ text: String) {
        notes.append(text)
        say("  note: \(text)")
    }

    func section(_ name: String) {
        say("\n== \(name)")
    }

    /// Writes a line at once (unbuffered), so progress shows when stdout is a file or pipe.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func format(_ v: Double) -> String {
        if v >= 100 { return String(format: "%.0f", v) }
        if v >= 0.01 || v == 0 { return String(format: "%.2f", v) }
        return String(format: "%.2g", v)
    }

    func writeResults(to folder: URL, command: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let now = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let payload = Results(date: ISO8601DateFormatter().string(from: now), machine: Machine.describe(),
                              command: command, quick: quick, runs: runs, notes: notes, figures: figures)
        let data = try encoder.encode(payload)
        try data.write(to: folder.appendingPathComponent(quick ? "quick.json" : "latest.json"))
        if !quick {
            // A dated copy too, so results can be tracked over time.
            let day = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withFullDate])
            try data.write(to: folder.appendingPathComponent("\(day).json"))
        }
    }

    func markdown(command: String) -> String {
        var md = "# Performance\n\nGenerated by `\(command)` on \(ISO8601DateFormatter().string(from: Date())); do not edit by hand.\n\n"
        md += "Machine: \(Machine.describe()). Each figure is the median of \(runs) run(s) (heavy ones of 3); "
        md += "its reference is measured in the same run on the same machine, and every timed workload checks "
        md += "its result (a wrong answer fails the run). The machine is shared and noisy: the ratio is what counts.\n\n"
        md += "| section | figure | value | reference | ratio | aim | met |\n|---|---|---|---|---|---|---|\n"
        for f in figures {
            let ref = f.reference.map { "\($0): \(format(f.referenceValue ?? 0)) \(f.referenceUnit ?? f.unit)" } ?? ""
            let met = f.met.map { $0 ? "yes" : "**no**" } ?? ""
            md += "| \(f.section) | \(f.name) | \(format(f.value)) \(f.unit) | \(ref) | "
            md += "\(f.ratio.map { String(format: "%.2f", $0) } ?? "") | \(f.aim ?? "") | \(met) |\n"
        }
        if !notes.isEmpty { md += "\nNotes:\n\n" + notes.map { "- \($0)\n" }.joined() }
        return md
    }

    /// Prints which aims are met, at the end of a run.
    func summary() {
        let aimed = figures.filter { $0.met != nil }
        say("\n== aims: \(aimed.filter { $0.met == true }.count) of \(aimed.count) met")
        for f in aimed where f.met == false { say("  NOT met: \(f.section) / \(f.name): \(format(f.value)) \(f.unit) (aim: \(f.aim ?? ""))") }
    }

    struct Results: Encodable {
        var date: String
        var machine: String
        var command: String
        var quick: Bool
        var runs: Int
        var notes: [String]
        var figures: [Figure]
    }
}

enum Machine {
    static func describe() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            cpu = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? cpu
        }
        return "\(cpu), \(cores) cores, \(memory) GiB"
    }

    /// Peak resident memory of this process so far, in MiB (VmHWM).
    static func peakMemoryMiB() -> Double { memoryMiB(pid: nil, field: "VmHWM:") }

    /// A memory line of /proc/PID/status (VmHWM: peak resident, VmRSS: current), in MiB; 0 if unreadable.
    static func memoryMiB(pid: Int32?, field: String) -> Double {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kb = Double(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
