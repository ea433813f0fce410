import Logging
import PostgresNIO
import ReactorCore
import Synchronization

/// A complete ``ReactorStore`` on PostgreSQL, for one or several reactor nodes sharing one database.
///
/// Every table lives in one schema (``PostgresStoreConfiguration/schema``, default `reactor`), created and upgraded by
/// ``migrate()``. Connections come from a postgres-nio `PostgresClient` pool, which works only while ``run()`` runs:
/// put the store in the server's `ServiceGroup` (before the reactor, so that it stops after it), or use
/// ``withStore(_:logger:migrate:_:)`` for a scoped store.
///
/// ## Writes
/// Writes are group committed like the SQLite store's: concurrent ``commit(_:)`` callers share one transaction,
/// written by a single writer loop inside ``run()``; each commit is atomic on its own (a failing commit is retried
/// alone inside a savepoint, so it never fails the others). Errors mirror the SQLite store: `DOCUMENT_EXISTS`,
/// `DOCUMENT_NOT_FOUND`, `SLUG_TAKEN`, transient `REVISION_CONFLICT` (a stream at another revision, or with
/// `details["operationId"]` an operation id already stored), `OPERATION_GAP`, and `STORAGE_ERROR` (transient for
/// serialization failures, deadlocks, a lost connection or a server shutting down).
///
/// ## Ordinals
/// Every operation has a reactor-wide ordinal, and ``operations(afterOrdinal:limit:)`` (the feed that processors,
/// sync, subscriptions and the nodes of a cluster follow) must never skip one. With a plain sequence that breaks as
/// soon as write transactions run in parallel: transaction A draws ordinal 10, B draws 11 and commits first; a reader
/// that saw 11 asks for ordinals after 11 and skips 10 for ever. Up to schema version 3 every write transaction
/// therefore took one advisory lock, so all writers of all nodes ran one after another.
///
/// Since version 4 writers run in parallel, and ordinals follow *transaction ids*: a write transaction numbers its
/// operations `base + xid8 · 2^20 + k` (`transaction_ordinal_base()`, `xid8` its own `pg_current_xact_id()`, `k` the
/// operation's position in the transaction, at most 2^20 per transaction). A reader takes the horizon of its own
/// snapshot, `base + pg_snapshot_xmin(pg_current_snapshot()) · 2^20` (`ordinal_horizon()`): every transaction with a
/// smaller id has ended, and every transaction still running or yet to start has an id at or above it, so no
/// operation can ever appear below the horizon again. The feed reads only below it, in ordinal order: it never
/// skips, and stays gap-free for every follower. (Ordinals have gaps — they are not dense — which is harmless.)
///
/// Why not a sequence plus "read only rows of transactions older than the snapshot's xmin": a transaction with a
/// *newer* id may draw a *smaller* ordinal (ids are assigned at a transaction's first write, ordinals later), so an
/// older transaction's row could be read and the newer one's smaller ordinal skipped. Numbering by transaction id
/// makes the two orders one.
///
/// The price: the feed trails the oldest running write transaction on the whole PostgreSQL cluster (any
/// transaction that has written anything, in any database). An operation whose commit returned is readable in
/// the feed once every older transaction ended, usually within milliseconds; a transaction left open holds every
/// reader back (reads that must reach a committed ordinal, ``operations(afterOrdinal:through:limit:)``, give up after
/// 30 s with a transient error). ``latestOrdinal()`` is the newest ordinal; ``completeOrdinal()`` the newest below
/// the horizon, where a new follower starts.
///
/// A commit to one stream excludes another through the stream's row (its revision moves conditionally), so the
/// order of each stream is unchanged; the job fence (`PostgresCommitWriter+Fence`) orders jobs across nodes.
///
/// Reads run on any pooled connection, one statement each (one consistent snapshot).
public final class PostgresStore: ReactorStore {
    /// The settings the store was created with.
    public let configuration: PostgresStoreConfiguration
    /// The connection pool. Other PostgreSQL components (job records, queues, LISTEN/NOTIFY) may share it.
    public let client: PostgresClient

    let tables: PostgresTables
    let logger: Logger
    private let queue = CommitQueue()
    private let writer: PostgresCommitWriter
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var runCalled = false
        var closed = false
    }

    /// Creates a store (no connection is opened until ``run()`` runs and a query needs one).
    ///
    /// - Throws: `CONFIG_INVALID` when the configuration is invalid (see ``PostgresStoreConfiguration/validate()``).
    public init(configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "reactor.postgres")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        self.tables = PostgresTables(schema: configuration.schema)
        self.writer = PostgresCommitWriter(tables: tables, logger: logger)
    }

    /// Runs the connection pool and the writer loop until the calling task is cancelled (or, inside a
    /// `ServiceGroup`, until graceful shutdown: postgres-nio's pool observes it). Queries and commits wait until this
    /// runs; commits still pending when it ends fail with a transient `STORAGE_ERROR`.
    ///
    /// - Throws: `INTERNAL` when called a second time on the same store.
    public func run() async throws {
        let first = lifecycle.withLock { s -> Bool in
            defer { s.runCalled = true }
            return !s.runCalled
        }
        guard first else { throw ReactorError(.internal, "PostgresStore.run() was called twice") }
        // When either child ends, the other is cancelled: the pool's `run()` ends on cancellation or, inside a
        // `ServiceGroup`, on graceful shutdown, and the writer loop must not outlive it.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await self.queue.run { batch in
                    do {
                        return try await self.client.withConnection { connection in
                            await self.writer.write(batch, on: connection)
                        }
                    } catch {
                        let failure = ReactorError.postgresFailure(error)
                        return batch.map { _ in .failure(failure) }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Creates a store, runs it while `body` runs (migrating it first unless `migrate` is false), then stops it.
    public static func withStore<T>(
        _ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "reactor.postgres"), migrate: Bool = true,
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresStore(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            if migrate { try await store.migrate() }
            return try await body(store)
        }
    }

    /// Creates the schema or upgrades it to the newest version. Idempotent, and safe when several nodes start at
    /// once: the whole migration runs in one transaction holding a transaction-level advisory lock for the schema, so
    /// a second node waits, then finds every version applied.
    ///
    /// - Throws: `STORAGE_ERROR` when the server cannot be reached or a statement fails (nothing is applied then).
    public func migrate() async throws {
        let t = tables
        let migrations = PostgresSchema.migrations(schema: t.schema)
        do {
            try await client.withConnection { c in
                _ = try await c.query("BEGIN", logger: logger).collect()
                do {
                    _ = try await c.query("SELECT pg_advisory_xact_lock(\(t.migrationLockKey))", logger: logger).collect()
                    _ = try await c.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: t.schema)", logger: logger).collect()
                    _ = try await c.query(PostgresQuery(unsafeSQL: PostgresSchema.migrationsTable(schema: t.schema)), logger: logger).collect()
                    var applied = Set<Int>()
                    for row in try await c.query("SELECT version FROM \(unescaped: t.migrations)", logger: logger).collect() {
                        applied.insert(Int(try row.decode(Int32.self)))
                    }
                    for migration in migrations where !applied.contains(migration.version) {
                        for statement in migration.statements {
                            _ = try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
                        }
                        _ = try await c.query(
                            "INSERT INTO \(unescaped: t.migrations) (version, name) VALUES (\(Int32(migration.version)), \(migration.name))",
                            logger: logger
                        ).collect()
                        logger.info("applied PostgreSQL store migration", metadata: ["schema": "\(configuration.schema)", "version": "\(migration.version)"])
                    }
                    _ = try await c.query("COMMIT", logger: logger).collect()
                } catch {
                    do {
                        _ = try await c.query("ROLLBACK", logger: logger).collect()
                    } catch {
                        try? await c.close()
                    }
                    throw error
                }
            }
        } catch {
            throw ReactorError.postgresFailure(error)
        }
    }

    /// The schema versions applied so far, in order.
    public func appliedMigrations() async throws -> [Int] {
        try await read { c in
            try await c.query("SELECT version FROM \(unescaped: self.tables.migrations) ORDER BY version", logger: self.logger)
                .collect().map { Int(try $0.decode(Int32.self)) }
        }
    }

    /// The migrations not applied to the schema yet (`2: job ledger: …`), oldest first; every one when the schema
    /// does not exist.
    public func pendingMigrations() async throws -> [String] {
        let migrationsTable = tables.migrations
        let exists = try await read { c in
            try await c.query("SELECT to_regclass(\(migrationsTable)) IS NOT NULL", logger: self.logger)
                .collect().first.map { try $0.decode(Bool.self) } ?? false
        }
        let applied = Set(exists ? try await appliedMigrations() : [])
        return PostgresSchema.migrations(schema: tables.schema)
            .filter { !applied.contains($0.version) }
            .map { "\($0.version): \($0.name)" }
    }

    /// Stores each commit atomically, in order, and reports each one's outcome (see "Writes" above).
    public func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        await Commit.prepareAndSubmit(
            commits, storeName: "PostgreSQL", prepare: { try PreparedCommit($0) }, mapError: { ReactorError.postgresFailure($0) },
            submit: { await queue.submit($0) })
    }

    /// Refuses further commits and reads (`STORAGE_ERROR`). Commits already accepted are still written while
    /// ``run()`` runs; the connections close when ``run()`` ends.
    public func close() async throws {
        lifecycle.withLock { $0.closed = true }
        queue.close()
    }

    /// How many write transactions group commit has run so far.
    var writeTransactionCount: Int { queue.transactionCount }

    /// Runs one read on a pooled connection, mapping errors (a `CancellationError` passes through).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        if lifecycle.withLock({ $0.closed }) { throw ReactorError(.storage, "the PostgreSQL store is closed") }
        do {
            return try await client.withConnection { try await body($0) }
        } catch {
            throw ReactorError.postgresReadFailure(error)
        }
    }
}
