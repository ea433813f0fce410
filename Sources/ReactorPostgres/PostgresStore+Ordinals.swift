import PostgresNIO
import ReactorCore

/// The ordinal feed (see "Ordinals" on ``PostgresStore``): every read stops below the *horizon*, the lowest ordinal a
/// transaction that is still running (or has not started) may hold, taken from the statement's own snapshot
/// (`ordinal_horizon()`, schema version 4). Everything below it is final: an operation never appears there later, so
/// a reader that moves its cursor through the feed never skips one.
extension PostgresStore {
    /// One read of the feed: the operations below the horizon, the horizon, and the newest ordinal committed (which
    /// may be at or above the horizon: held back by an older transaction that is still running).
    struct FeedPage: Sendable {
        var records: [OperationRecord]
        var horizon: Int64
        var newest: Int64
    }

    /// How long a read of the feed waits at most for older transactions that are still running.
    static let feedPatience = Duration.seconds(30)

    /// Operations with ordinal > `ordinal`, in ordinal order, at most `limit`. Never skips an operation that commits
    /// later. Every operation committed before the call is returned (up to `limit`): when some wait behind an older
    /// transaction that is still running, the read waits for it (usually milliseconds; at most 30 s, after which it
    /// returns what the feed has reached, which is never wrong, only short).
    public func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        guard limit > 0 else { return [] }
        return try await readFeed(after: ordinal, through: nil, limit: limit)
    }

    /// Operations with `ordinal` < ordinal ≤ `through`, at most `limit`, once the feed has reached `through` (or the
    /// page is full): waits while an older transaction that is still running holds the horizon at or below it.
    ///
    /// - Throws: a transient `STORAGE_ERROR` when the feed has not reached `through` after 30 s (a transaction left
    ///   open that long holds every reader of the feed back).
    public func operations(afterOrdinal ordinal: Int64, through: Int64, limit: Int) async throws -> [OperationRecord] {
        guard limit > 0, through > ordinal else { return [] }
        return try await readFeed(after: ordinal, through: through, limit: limit)
    }

    /// Reads the feed until it has reached `through` (nil: the newest ordinal committed when the read began) or the
    /// page is full, waiting 1 ms, then doubling to 16 ms, between reads.
    private func readFeed(after ordinal: Int64, through: Int64?, limit: Int) async throws -> [OperationRecord] {
        let deadline = ContinuousClock.now.advanced(by: Self.feedPatience)
        var delay = Duration.milliseconds(1)
        var target = through
        while true {
            let page = try await feedPage(after: ordinal, limit: limit)
            let wanted = target ?? page.newest
            target = wanted
            let within = page.records.prefix { $0.ordinal <= wanted }
            if page.horizon > wanted || within.count < page.records.count || page.records.count == limit { return Array(within) }
            guard ContinuousClock.now < deadline else {
                guard through != nil else { return Array(within) }
                throw ReactorError(
                    .storage, "the ordinal feed is held back by a PostgreSQL transaction that has been running for more than 30 s",
                    details: ["through": String(wanted), "horizon": String(page.horizon)], isTransient: true)
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(16))
        }
    }

    /// The highest ordinal given so far (0 when empty). Operations at or below it may still be held back from the
    /// feed for a moment (see ``completeOrdinal()``).
    public func latestOrdinal() async throws -> Int64 {
        let t = tables
        return try await read { c in
            try await c.query("SELECT COALESCE(MAX(ordinal), 0) FROM \(unescaped: t.operations)", logger: logger)
                .collect().first.map { try $0.decode(Int64.self) } ?? 0
        }
    }

    /// The highest ordinal below the horizon (0 when none): no operation at or below it can still appear.
    public func completeOrdinal() async throws -> Int64 {
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT COALESCE(MAX(ordinal), 0) FROM \(unescaped: t.operations) WHERE ordinal < \(unescaped: t.schema).ordinal_horizon()
                """, logger: logger).collect().first.map { try $0.decode(Int64.self) } ?? 0
        }
    }

    /// One statement (one snapshot): the horizon, the newest ordinal, and up to `limit` operations after `ordinal`
    /// below the horizon.
    func feedPage(after ordinal: Int64, limit: Int) async throws -> FeedPage {
        let t = tables
        let columns = OperationRow.recordColumns.split(separator: ",").map { "o." + $0.trimmingPrefix(" ") }.joined(separator: ", ")
        let rows = try await read { c in
            try await c.query("""
                SELECT \(unescaped: columns), h.horizon, h.newest
                FROM (SELECT \(unescaped: t.schema).ordinal_horizon() AS horizon,
                          (SELECT COALESCE(max(ordinal), 0) FROM \(unescaped: t.operations)) AS newest) h
                LEFT JOIN LATERAL (SELECT \(unescaped: OperationRow.recordColumns) FROM \(unescaped: t.operations)
                                   WHERE ordinal > \(ordinal) AND ordinal < h.horizon ORDER BY ordinal LIMIT \(Int64(limit))) o ON true
                ORDER BY o.ordinal
                """, logger: logger).collect()
        }
        var page = FeedPage(records: [], horizon: 0, newest: 0)
        page.records.reserveCapacity(rows.count)
        for row in rows {
            let cells = row.makeRandomAccess()
            page.horizon = try cells[cells.count - 2].decode(Int64.self)
            page.newest = try cells[cells.count - 1].decode(Int64.self)
            if try cells[0].decode(String?.self) != nil { page.records.append(try OperationRow.record(row)) }
        }
        return page
    }
}
