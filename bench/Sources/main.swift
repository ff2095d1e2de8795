import Foundation

// gsp-bench: every hot path next to its physical limit measured in the same run.
// Usage: gsp-bench [--quick] [--results DIR] [--markdown FILE] [--only SECTION,...]
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
    usage: gsp-bench [--quick] [--results DIR] [--markdown FILE] [--only SECTION,...] [--python PATH]
      --quick          one short run of every figure (a smoke test of the harness)
      --results DIR    where to write the JSON results (default bench/results)
      --markdown FILE  also write the figures as a markdown table (docs/performance.md)
      --only LIST      run only these sections: \(Sections.all.map(\.name).joined(separator: ", "))
      --python PATH    the Python with Loro installed, for the peer (default bench/.venv/bin/python)
    internal: gsp-bench peer-merge DIR RUNS   (the Swift side of the peer workload, in its own process)
    """)
    exit(0)
}
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

do {
    if arguments.first == "peer-merge", arguments.count == 3, let runs = Int(arguments[2]) {
        try PeerMergeProcess.run(folder: URL(fileURLWithPath: arguments[1]), runs: runs)
        exit(0)
    }
    let quick = arguments.contains("--quick")
    let bench = Bench(quick: quick)
    let command = "make " + (quick ? "bench-quick" : "bench")
    let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
    let context = Sections.Context(python: option("--python") ?? "bench/.venv/bin/python")
    for section in Sections.all where only?.contains(section.name) ?? true {
        try section.run(bench, context)
    }
    bench.summary()
    try bench.writeResults(to: URL(fileURLWithPath: option("--results") ?? "bench/results"), command: command)
    if let md = option("--markdown") { try bench.markdown(command: command).write(toFile: md, atomically: true, encoding: .utf8) }
} catch {
    FileHandle.standardError.write(Data("gsp-bench: \(error)\n".utf8))
    exit(1)
}
