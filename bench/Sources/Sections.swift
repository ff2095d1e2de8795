import Foundation

/// The benchmark's sections in the order they run; `--only` picks some by name.
struct Sections: Sendable {
    struct Context: Sendable {
        /// The Python interpreter with Loro installed (the peer); missing means no peer.
        var python: String
    }

    var name: String
    var run: @Sendable (Bench, Context) throws -> Void

    static let all: [Sections] = [
        Sections(name: "local") { bench, _ in try BenchLocalEdits.run(bench) },
        Sections(name: "wire") { bench, _ in try BenchWire.run(bench) },
        Sections(name: "ingest") { bench, _ in try BenchServerIngest.run(bench) },
        Sections(name: "postgres") { bench, _ in try BenchPostgresIngest.run(bench) },
        Sections(name: "pull") { bench, _ in try BenchInitialPull.run(bench) },
        Sections(name: "clients") { bench, _ in try BenchConcurrency.run(bench) },
        Sections(name: "reports") { bench, _ in try BenchReports.run(bench) },
        Sections(name: "peer") { bench, context in try BenchPeer.run(bench, python: context.python) },
    ]
}
