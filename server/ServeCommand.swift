import Dispatch
import Foundation
import GSPServer

let serveCommand = Command(
    name: "serve", summary: "run the sync server",
    usage: """
    usage: gsp-server serve --db PATH|postgres://USER@HOST:PORT/DATABASE --listen HOST:PORT
                            [--max-drift-seconds 60] [--idle-timeout-seconds 60] [--quiet]
                            [--max-connections-per-ip 256] [--max-body-memory-mib 256]
                            [--tls-cert PEM --tls-key PEM]

    --db is a SQLite file (created when missing) or a PostgreSQL URL (postgres:// or
    postgresql://, libpq's syntax; the schema is created in an empty database). Several
    servers may share one PostgreSQL database; their clocks must then be synchronized (NTP:
    see docs/operations.md, "Clocks").

    Serves POST /v1/sync, GET /v1/whoami, GET /v1/conflicts, GET /v1/reports/NAME,
    GET /dashboard (the managers' page) and GET /healthz (docs/operations.md).
    HOST is a numeric address (127.0.0.1, 0.0.0.0, ::1); PORT 0 picks a free port.
    While serving a SQLite file, the server holds an exclusive lock on PATH.lock: a second
    server on the same file and 'gsp-server restore' are refused until it stops.
    --tls-cert and --tls-key (PEM files: the certificate, with any intermediate
    certificates after it, and its private key) serve HTTPS instead of plain HTTP.
    Prints 'listening on http://HOST:PORT' (https with TLS) once ready. SIGTERM or SIGINT stops it
    after the requests in progress finish. One JSON line per request goes to stderr
    (--quiet turns that off). A connection that sends nothing for --idle-timeout-seconds
    (a request never finished, or a kept-alive connection left unused) is closed.
    One client address may hold at most --max-connections-per-ip connections at once (0: no
    cap; use 0 behind a reverse proxy, where every connection comes from the proxy); the
    server takes 1,024 at once in all. A connection over a limit is closed at once.
    Request bodies are stored only for requests the server takes (a known route, a valid
    token), and at most --max-body-memory-mib MiB of them at once, all connections together
    (at least 17: one full-size push); a body past that gets 503 with Retry-After.
    """,
    run: { words, usage in
        let args = try Arguments(words, options: ["db", "listen", "max-drift-seconds", "idle-timeout-seconds", "max-connections-per-ip",
                                          "max-body-memory-mib",                                           "tls-cert", "tls-key"], flags: ["quiet"])
        if args.wantsHelp { return Output.out(usage) }
        try args.expectPositionals(0)
        let db = try args.required("db")
        let (host, port) = try parseListen(try args.required("listen"))
        var drift = 60
        if let text = args.option("max-drift-seconds") {
            guard let value = Int(text), value > 0 else { throw UsageError("--max-drift-seconds must be a positive number of seconds") }
            drift = value
        }
        var idle: UInt32 = 60
        if let text = args.option("idle-timeout-seconds") {
            guard let value = UInt32(text), value > 0 else { throw UsageError("--idle-timeout-seconds must be a positive number of seconds") }
            idle = value
        }
        var perClient = ServerConfiguration.defaultMaxConnectionsPerClient
        if let text = args.option("max-connections-per-ip") {
            guard let value = UInt32(text), value <= 1024 else {
                throw UsageError("--max-connections-per-ip must be a number of connections from 0 (no cap) to 1024")
            }
            perClient = value
        }
        var bodyMemory = HTTPServer.defaultMaxBufferedBodyBytes
        if let text = args.option("max-body-memory-mib") {
            // A full-size push (16 MiB + 64 KiB) must fit, or it could never be taken.
            guard let value = Int(text), value >= 17, value <= 1 << 20 else {
                throw UsageError("--max-body-memory-mib must be a number of MiB from 17 (one full-size push) to 1048576")
            }
            bodyMemory = value << 20
        }
        var tls: TLSIdentity?
        switch (args.option("tls-cert"), args.option("tls-key")) {
        case (nil, nil): break
        case (let cert?, let key?): tls = try TLSIdentity(certificateFile: cert, keyFile: key)
        default: throw UsageError("--tls-cert and --tls-key go together: pass both PEM files to serve HTTPS, or neither")
        }
        // SIGTERM and SIGINT are blocked from here on, in this thread and every thread started
        // after (the HTTP server's), and taken by sigwait below: one sent at any moment stays
        // pending until then, never lost. (A dispatch source registers its handler some time
        // after resume(), and a SIGTERM sent in between, once "listening on" was printed, was
        // ignored: the server ran on.)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        // One server per SQLite file; PostgreSQL is made for several servers at once.
        let lock = try StoreOpener.isPostgres(db) ? nil : try DatabaseLock(database: db)
        let store = try StoreOpener.open(db)
        let server = try SyncServer(store: store, configuration: ServerConfiguration(
            host: host, port: port, maxDrift: .seconds(drift), maxBufferedBodyBytes: bodyMemory, logRequests: !args.flag("quiet"), idleTimeoutSeconds: idle, tls: tls,
            maxConnectionsPerClient: perClient))
        Output.out("listening on \(server.url)")
        var received: Int32 = 0
        while sigwait(&stopSignals, &received) != 0 {}
        Output.err("gsp-server: stopping (signal \(received)): finishing requests in progress")
        server.stop(timeout: .seconds(30))
        Output.err("gsp-server: stopped")
        withExtendedLifetime(lock) { exit(0) }
    })

/// Splits HOST:PORT (IPv6 as [::1]:PORT).
func parseListen(_ text: String) throws -> (String, UInt16) {
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
        throw UsageError("--listen takes HOST:PORT, such as 127.0.0.1:8080 (port 0 picks a free one)")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { throw UsageError("--listen needs a host, such as 127.0.0.1:\(port)") }
    var address = in6_addr()
    guard inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1 else {
        throw UsageError("--listen takes a numeric IP address, not '\(host)': such as 127.0.0.1:\(port), 0.0.0.0:\(port) or [::1]:\(port)")
    }
    return (host, port)
}
