import Foundation
import GSPServer

let migrateCommand = Command(
    name: "migrate", summary: "create or upgrade the database schema",
    usage: """
    usage: gsp-server migrate [--new-epoch] --db PATH|postgres://USER@HOST:PORT/DATABASE

    Creates the database (a SQLite file) or the schema (in an existing PostgreSQL database) if
    missing and brings its tables up to date. Safe to run again, and from several servers at once.
    --new-epoch (PostgreSQL) gives the data a new epoch after it was restored with pg_restore:
    every replica then pulls everything again and pushes what the restored data lacks.
    """,
    run: { words, usage in
        let args = try Arguments(words, options: ["db"], flags: ["new-epoch"])
        if args.wantsHelp { return Output.out(usage) }
        try args.expectPositionals(0)
        let db = try args.required("db")
        // Refused before opening: a refused command line creates no SQLite file.
        if args.flag("new-epoch"), !(try StoreOpener.isPostgres(db)) {
            throw UsageError("--new-epoch is for PostgreSQL; a SQLite database gets a new epoch from 'gsp-server restore'")
        }
        let store = try StoreOpener.open(db)
        if args.flag("new-epoch"), let postgres = store as? PostgresServerStore {
            Output.err("new epoch \(try postgres.renewEpoch().uuidString.lowercased()): every replica will pull everything again")
        }
        let (place, epoch) = (StoreOpener.describe(store), try store.epoch().uuidString.lowercased())
        switch store.schemaAtOpen {
        case .created(let version)?: Output.out("schema version \(version) created in \(place) (epoch \(epoch))")
        case .upgraded(let old, let version)?: Output.out("database \(place) upgraded from schema version \(old) to \(version) (epoch \(epoch))")
        case .upToDate(let version)?: Output.out("database \(place) is up to date (schema version \(version), epoch \(epoch))")
        case nil: Output.out("database \(place) (epoch \(epoch))")
        }
    })

let conflictsCommand = Command(
    name: "conflicts", summary: "list concurrent edits that overwrote another value",
    usage: "usage: gsp-server conflicts [--since DATE] [--json] --db PATH|URL\n\nDATE is YYYY-MM-DD or an ISO 8601 time. --db is the SQLite file or the postgres:// URL.",
    run: { words, usage in
        let args = try Arguments(words, options: ["db", "since"], flags: ["json"])
        if args.wantsHelp { return Output.out(usage) }
        try args.expectPositionals(0)
        let since = try args.option("since").map { try parseDate($0, option: "--since") }
        let conflicts = try StoreOpener.open(try args.required("db"), create: false).conflicts(since: since)
        if args.flag("json") { return try Output.json(conflicts.map(ConflictJSON.init)) }
        if conflicts.isEmpty { return Output.err("no conflicts") }
        Output.table(["DETECTED", "FIELD", "KEPT", "BY", "OVERWRITTEN", "BY"], conflicts.map {
            [$0.detected.formatted(.iso8601), "\($0.key.table)/\($0.key.row.lowercased)/\($0.key.field)",
             $0.winning.value.description, $0.winning.user, $0.losing.value.description, $0.losing.user]
        })
    })

let backupCommand = Command(
    name: "backup", summary: "write a consistent copy of the database (safe while serving)",
    usage: """
    usage: gsp-server backup FILE --db PATH|URL

    FILE must not exist; it is created readable by its owner only (it holds every deal and
    token hash). The server may keep running. --db is the SQLite file or the postgres:// URL.
    """,
    run: { words, usage in
        let args = try Arguments(words, options: ["db"])
        if args.wantsHelp { return Output.out(usage) }
        let file = try args.positional(0, "the backup FILE")
        try args.expectPositionals(1)
        try StoreOpener.open(try args.required("db"), create: false).backup(to: file)
        Output.err("backup written to \(file)")
    })

let restoreCommand = Command(
    name: "restore", summary: "replace the database with a backup (gives the server a new epoch)",
    usage: """
    usage: gsp-server restore FILE --db PATH|URL

    Stop the servers first. On a SQLite file, restore refuses while a server holds PATH.lock;
    on PostgreSQL (several servers share the database) there is no such lock: restore waits for
    merges in progress and keeps new ones out until it commits. Everything in the database is
    replaced by FILE (a backup 'gsp-server backup' wrote of the same kind of database), and the
    server gets a new epoch: every replica then pulls its data again from the start and pushes
    again what the backup lacks.
    """,
    run: { words, usage in
        let args = try Arguments(words, options: ["db"])
        if args.wantsHelp { return Output.out(usage) }
        let file = try args.positional(0, "the backup FILE")
        try args.expectPositionals(1)
        let db = try args.required("db")
        let lock = try StoreOpener.isPostgres(db) ? nil : try DatabaseLock(database: db)
        let epoch = try withExtendedLifetime(lock) { try StoreOpener.open(db).restore(from: file) }
        Output.out("restored \(file); new epoch \(epoch.uuidString.lowercased())")
    })
