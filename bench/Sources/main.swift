import Foundation

// gsp-bench: every hot path next to its physical limit measured in the same run.
// Usage: gsp-bench [--quick] [--results DIR] [--markdown FILE]
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
    usage: gsp-bench [--quick] [--results DIR] [--markdown FILE]
      --quick          one short run of every figure (a smoke test of the harness)
      --results DIR    where to write the JSON results (default bench/results)
      --markdown FILE  also write the figures as a markdown table (docs/performance.md)
    """)
    exit(0)
}
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), arguments.index(after: i) < arguments.endIndex else { return nil }
    return arguments[arguments.index(after: i)]
}
let quick = arguments.contains("--quick")
let bench = Bench(quick: quick)
let command = "make " + (quick ? "bench-quick" : "bench")
do {
    try BenchLocalEdits.run(bench)
    try bench.writeResults(to: URL(fileURLWithPath: option("--results") ?? "bench/results"), command: command)
    if let md = option("--markdown") { try bench.markdown(command: command).write(toFile: md, atomically: true, encoding: .utf8) }
} catch {
    FileHandle.standardError.write(Data("gsp-bench: \(error)\n".utf8))
    exit(1)
}
