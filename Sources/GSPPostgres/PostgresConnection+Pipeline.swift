@preconcurrency import CPostgres

/// One statement of a pipeline: SQL with `$1`-style parameters.
public struct PostgresStatement: Sendable {
    public var sql: String
    public var parameters: [PostgresParameter]

    public init(_ sql: String, _ parameters: [PostgresParameter] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension PostgresConnection {
    /// Sends every statement at once and then reads their results: one network round trip for
    /// all of them instead of one each (libpq's pipeline mode).
    ///
    /// The server runs the statements in order, each exactly as if sent alone (so `BEGIN` and
    /// `COMMIT` may be among them). After a failure it skips the rest; a transaction begun in the
    /// pipeline then stays open in the failed state, to be rolled back. Throws the first failure;
    /// otherwise returns one result per statement. `COPY` cannot be pipelined.
    @discardableResult
    public func pipeline(_ statements: [PostgresStatement]) throws(PostgresError) -> [PostgresResult] {
        guard !statements.isEmpty else { return [] }
        // Every parameter is checked before anything is sent: a bad one must not leave half a pipeline run.
        var wires: [WireParameters] = []
        for statement in statements { wires.append(try WireParameters(statement.sql, statement.parameters)) }
        roundTrips += 1
        guard PQenterPipelineMode(raw) == 1 else { throw lastError(sql: statements[0].sql) }
        var failure: PostgresError?
        var sent = 0
        for (statement, wire) in zip(statements, wires) {
            let queued = wire.withPointers { count, values, lengths, formats in
                PQsendQueryParams(raw, statement.sql, count, nil, values, lengths, formats, 1)
            }
            guard queued == 1 else {
                failure = lastError(sql: statement.sql)
                break
            }
            sent += 1
        }
        // The sync point ends the pipeline's implicit transaction and makes the server answer.
        if PQpipelineSync(raw) != 1, failure == nil { failure = lastError(sql: nil) }

        var results: [PostgresResult] = []
        results.reserveCapacity(sent)
        for statement in statements.prefix(sent) {
            // Each statement's results end with a NULL; a statement skipped after a failure gives PIPELINE_ABORTED.
            var first: PostgresResult?
            while let next = PQgetResult(raw) {
                if PQresultStatus(next) == PGRES_PIPELINE_ABORTED {
                    PQclear(next)
                    continue
                }
                do {
                    let result = try check(next, sql: statement.sql, expecting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
                    if first == nil { first = result }
                } catch {
                    if failure == nil { failure = error }
                }
            }
            if let first { results.append(first) }
        }
        if PQstatus(raw) == CONNECTION_OK, let sync = PQgetResult(raw) {
            let status = PQresultStatus(sync)
            PQclear(sync)
            if status != PGRES_PIPELINE_SYNC, failure == nil {
                failure = PostgresError(sqlState: nil, message: "pipeline out of step: expected its sync point, got status \(status.rawValue)", sql: nil,
                                        isConnectionFailure: PQstatus(raw) != CONNECTION_OK)
            }
        }
        // Fails only with results left over; the connection then reports itself unhealthy and is reset.
        if PQexitPipelineMode(raw) != 1, failure == nil { failure = lastError(sql: nil) }
        if let failure { throw failure }
        guard results.count == statements.count else {
            // Fewer results than statements: the connection dropped while they were read.
            throw PostgresError(sqlState: nil, message: "pipeline returned \(results.count) results for \(statements.count) statements", sql: nil,
                                isConnectionFailure: PQstatus(raw) != CONNECTION_OK)
        }
        return results
    }
}
