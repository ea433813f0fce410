import PostgresNIO
import ReactorCore

/// A side-by-side measurement of raw PostgreSQL write transactions and ``PostgresStore`` commits on one server, for
/// benchmark notes (`PostgresStoreBenchmarkTests` runs it small; `reactor-bench --only postgres` measures whole jobs).
///
/// The raw anchor is one single-row `INSERT` per transaction (autocommit), from `concurrency` tasks over the
/// store's pool. The store figure is one commit per document creation (a header and one operation), from
/// `concurrency` tasks, group committed by the store. Both run against the same schema, which the benchmark migrates
/// and leaves in place (with the documents it created and a `bench_raw` table): give it a throwaway schema.
public enum PostgresStoreBenchmark {
    /// What one run measured.
    public struct Report: Sendable, CustomStringConvertible {
        /// Transactions (inserts or commits) per measurement.
        public var count: Int
        /// Concurrent tasks issuing them.
        public var concurrency: Int
        /// Single-row `INSERT` transactions per second.
        public var rawInsertsPerSecond: Double
        /// ``PostgresStore`` commits per second.
        public var commitsPerSecond: Double
        /// Write transactions the store ran for its commits (fewer than `count` thanks to group commit).
        public var storeTransactions: Int

        /// One line per figure.
        public var description: String {
            let ratio = rawInsertsPerSecond > 0 ? commitsPerSecond / rawInsertsPerSecond * 100 : 0
            return """
                PostgreSQL raw single-row INSERT transactions: \(Int(rawInsertsPerSecond))/s (\(count) × \(concurrency) tasks)
                PostgresStore commits (create, 1 operation): \(Int(commitsPerSecond))/s in \(storeTransactions) transactions \
                (\(Int(ratio)) % of raw)
                """
        }
    }

    /// Runs both measurements on a running store (its ``PostgresStore/run()`` must be running).
    public static func run(on store: PostgresStore, count: Int = 2_000, concurrency: Int = 16) async throws -> Report {
        let count = max(1, count)
        let concurrency = max(1, min(concurrency, count))
        try await store.migrate()
        let table = store.tables.schema + ".bench_raw"
        do {
            try await store.client.query(PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(table) (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)"))
        } catch {
            throw ReactorError.postgresFailure(error)
        }
        let payload = String(repeating: "x", count: 200)
        let rawSeconds = try await timed(count: count, concurrency: concurrency) { _ in
            do {
                try await store.client.query("INSERT INTO \(unescaped: table) (payload) VALUES (\(payload))")
            } catch {
                throw ReactorError.postgresFailure(error)
            }
        }
        let run = String(Clock.nowMilliseconds())
        let transactionsBefore = store.writeTransactionCount
        let storeSeconds = try await timed(count: count, concurrency: concurrency) { i in
            _ = try await store.commit(makeCreate("bench-\(run)-\(i)"))
        }
        return Report(
            count: count, concurrency: concurrency, rawInsertsPerSecond: Double(count) / rawSeconds,
            commitsPerSecond: Double(count) / storeSeconds, storeTransactions: store.writeTransactionCount - transactionsBefore)
    }

    /// Seconds taken to run `work(0..<count)` from `concurrency` tasks.
    private static func timed(count: Int, concurrency: Int, _ work: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<concurrency {
                group.addTask {
                    var i = task
                    while i < count {
                        try await work(i)
                        i += concurrency
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = start.duration(to: clock.now).components
        return max(1e-9, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    private static func makeCreate(_ id: String) -> Commit {
        let stream = StreamID(documentID: id, scope: Scope.global)
        let action = Action(id: id, type: "SET", input: ["value": 1], timestamp: 1)
        let operation = Operation(
            id: OperationID.make(stream: stream, actionID: action.id), index: 0, timestamp: 1, hash: "h", action: action)
        return Commit(
            header: DocumentHeader(id: id, documentType: "reactor/bench", createdAt: 1, lastModifiedAt: 1, revision: [Scope.global: 1]),
            createsDocument: true, appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: [operation])])
    }
}
