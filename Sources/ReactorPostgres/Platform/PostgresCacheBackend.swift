import Logging
import PostgresNIO
import ReactorCore
import Synchronization

/// The PostgreSQL ``CacheBackend``: one key–value table and one queue table shared by every node on the database.
///
/// Tables, in the configured schema (created by ``migrate()``):
///
/// ```sql
/// cache_kv    (key text PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz)          -- NULL: never expires
/// cache_queue (id bigserial PRIMARY KEY, queue text NOT NULL, payload bytea NOT NULL,
///              visible_at timestamptz NOT NULL, attempts integer NOT NULL, created_at timestamptz NOT NULL)
/// ```
///
/// Every time is the database server's (`now()`), so the nodes' clocks do not matter. Expired keys are filtered out
/// of every read at once and removed by ``purgeExpired()``, which this handle also runs by itself every
/// ``Configuration/purgeEvery`` writes. `dequeue` takes the oldest visible message with
/// `UPDATE … WHERE id = (SELECT id … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING …`, so concurrent consumers on any
/// number of nodes never take the same delivery and never wait for each other. A delivery's receipt carries the
/// attempt count, and `ack`/`nack` only touch the row while it still has that count.
///
/// The caller owns the `PostgresClient` and runs it (`client.run()` in a task group).
public final class PostgresCacheBackend: CacheBackend {
    /// Settings of a ``PostgresCacheBackend``.
    public struct Configuration: Sendable {
        /// The schema holding the tables (created by ``PostgresCacheBackend/migrate()`` when missing). Default
        /// `public`. A lower-case identifier: `[a-z_][a-z0-9_]*`, at most 63 bytes.
        public var schema: String
        /// Every this many writes (`set`, `expire`), the handle removes expired keys (at most 1,000 at a time).
        /// `0` turns the automatic purge off. Default 1,000.
        public var purgeEvery: Int

        /// Creates settings.
        public init(schema: String = "public", purgeEvery: Int = 1000) {
            self.schema = schema
            self.purgeEvery = purgeEvery
        }
    }

    private let client: PostgresClient
    private let logger: Logger
    private let kv: String
    private let queueTable: String
    private let schema: String
    private let purgeEvery: Int
    private let writes = Atomic<Int>(0)

    /// A cache on `client`'s database.
    ///
    /// - Throws: ``ReactorError/Code/invalidArgument`` when the schema name is not a plain identifier.
    public init(client: PostgresClient, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "reactor.postgres.cache")) throws {
        try PlatformPostgres.validateIdentifier(configuration.schema, what: "schema")
        self.client = client
        self.logger = logger
        self.schema = configuration.schema
        self.kv = "\"\(configuration.schema)\".cache_kv"
        self.queueTable = "\"\(configuration.schema)\".cache_queue"
        self.purgeEvery = max(0, configuration.purgeEvery)
    }

    /// Creates the schema, tables and indexes when they are missing. Idempotent and safe to run from several nodes
    /// at once (serialized by a transaction-level advisory lock).
    public func migrate() async throws {
        try await PlatformPostgres.migrate(client: client, lockName: "reactor.platform.cache:\(schema)", statements: [
            "CREATE SCHEMA IF NOT EXISTS \"\(schema)\"",
            """
            CREATE TABLE IF NOT EXISTS \(kv) (
                key text PRIMARY KEY,
                value bytea NOT NULL,
                expires_at timestamptz
            )
            """,
            "CREATE INDEX IF NOT EXISTS cache_kv_expires_at ON \(kv) (expires_at) WHERE expires_at IS NOT NULL",
            """
            CREATE TABLE IF NOT EXISTS \(queueTable) (
                id bigserial PRIMARY KEY,
                queue text NOT NULL,
                payload bytea NOT NULL,
                visible_at timestamptz NOT NULL DEFAULT now(),
                attempts integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX IF NOT EXISTS cache_queue_queue_id ON \(queueTable) (queue, id)",
        ], logger: logger)
    }

    /// Removes up to `limit` expired keys now; returns how many were removed.
    @discardableResult
    public func purgeExpired(limit: Int = 10_000) async throws -> Int {
        let limit = max(1, limit)
        return try await PlatformPostgres.storage("purging expired cache keys") {
            let rows = try await client.query("""
                WITH gone AS (
                    DELETE FROM \(unescaped: kv) WHERE key IN (
                        SELECT key FROM \(unescaped: kv) WHERE expires_at <= now() LIMIT \(limit)
                    ) RETURNING 1
                ) SELECT count(*) FROM gone
                """, logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    // MARK: Key–value

    public func get(_ key: String) async throws -> [UInt8]? {
        try PlatformName.validate(key, kind: "cache key")
        return try await PlatformPostgres.storage("reading cache key") {
            let rows = try await client.query("""
                SELECT value FROM \(unescaped: kv) WHERE key = \(key) AND (expires_at IS NULL OR expires_at > now())
                """, logger: logger)
            var value: [UInt8]?
            for try await buffer in rows.decode(ByteBuffer.self) { value = PlatformPostgres.bytes(buffer) }
            return value
        }
    }

    public func set(_ key: String, to value: [UInt8], ttl: Duration?) async throws {
        try PlatformName.validate(key, kind: "cache key")
        if let ttl { try PlatformDuration.validatePositive(ttl, name: "ttl") }
        let micros = ttl.map(PlatformDuration.microseconds)
        try await PlatformPostgres.storage("writing cache key") {
            try await client.query("""
                INSERT INTO \(unescaped: kv) (key, value, expires_at)
                VALUES (\(key), \(PlatformPostgres.buffer(value)),
                        CASE WHEN \(micros)::bigint IS NULL THEN NULL ELSE now() + \(micros)::bigint * interval '1 microsecond' END)
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                """, logger: logger)
        }
        try await countWrite()
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try PlatformName.validate(key, kind: "cache key")
        return try await PlatformPostgres.storage("deleting cache key") {
            let rows = try await client.query("""
                DELETE FROM \(unescaped: kv) WHERE key = \(key) RETURNING (expires_at IS NULL OR expires_at > now())
                """, logger: logger)
            var live = false
            for try await value in rows.decode(Bool.self) { live = value }
            return live
        }
    }

    @discardableResult
    public func expire(_ key: String, ttl: Duration) async throws -> Bool {
        try PlatformName.validate(key, kind: "cache key")
        try PlatformDuration.validatePositive(ttl, name: "ttl")
        let micros = PlatformDuration.microseconds(ttl)
        let updated = try await PlatformPostgres.storage("setting the TTL of a cache key") {
            let rows = try await client.query("""
                UPDATE \(unescaped: kv) SET expires_at = now() + \(micros)::bigint * interval '1 microsecond'
                WHERE key = \(key) AND (expires_at IS NULL OR expires_at > now()) RETURNING 1
                """, logger: logger)
            var found = false
            for try await _ in rows.decode(Int32.self) { found = true }
            return found
        }
        try await countWrite()
        return updated
    }

    public func exists(_ key: String) async throws -> Bool {
        try PlatformName.validate(key, kind: "cache key")
        return try await PlatformPostgres.storage("checking a cache key") {
            let rows = try await client.query("""
                SELECT EXISTS (SELECT 1 FROM \(unescaped: kv) WHERE key = \(key) AND (expires_at IS NULL OR expires_at > now()))
                """, logger: logger)
            var found = false
            for try await value in rows.decode(Bool.self) { found = value }
            return found
        }
    }

    private func countWrite() async throws {
        guard purgeEvery > 0 else { return }
        let count = writes.wrappingAdd(1, ordering: .relaxed).newValue
        if count % purgeEvery == 0 { try await purgeExpired(limit: 1000) }
    }

    // MARK: Queues

    @discardableResult
    public func enqueue(_ payload: [UInt8], on queue: String, delay: Duration?) async throws -> QueueMessageID {
        try PlatformName.validate(queue, kind: "queue name")
        if let delay { try PlatformDuration.validateNonNegative(delay, name: "delay") }
        let micros = PlatformDuration.microseconds(delay ?? .zero)
        return try await PlatformPostgres.storage("enqueuing a message") {
            let rows = try await client.query("""
                INSERT INTO \(unescaped: queueTable) (queue, payload, visible_at)
                VALUES (\(queue), \(PlatformPostgres.buffer(payload)), now() + \(micros)::bigint * interval '1 microsecond')
                RETURNING id
                """, logger: logger)
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            guard let id else { throw ReactorError(.internal, "INSERT … RETURNING id returned no row") }
            return QueueMessageID(String(id))
        }
    }

    public func dequeue(from queue: String, visibilityTimeout: Duration) async throws -> QueueMessage? {
        try PlatformName.validate(queue, kind: "queue name")
        try PlatformDuration.validatePositive(visibilityTimeout, name: "visibilityTimeout")
        let micros = PlatformDuration.microseconds(visibilityTimeout)
        return try await PlatformPostgres.storage("dequeuing a message") {
            let rows = try await client.query("""
                UPDATE \(unescaped: queueTable)
                SET attempts = attempts + 1, visible_at = now() + \(micros)::bigint * interval '1 microsecond'
                WHERE id = (
                    SELECT id FROM \(unescaped: queueTable)
                    WHERE queue = \(queue) AND visible_at <= now()
                    ORDER BY id
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1
                )
                RETURNING id, payload, attempts
                """, logger: logger)
            var message: QueueMessage?
            for try await (id, payload, attempts) in rows.decode((Int64, ByteBuffer, Int32).self) {
                message = QueueMessage(id: QueueMessageID(String(id)), queue: queue, payload: PlatformPostgres.bytes(payload), deliveries: Int(attempts))
            }
            return message
        }
    }

    @discardableResult
    public func ack(_ receipt: QueueReceipt) async throws -> Bool {
        try PlatformName.validate(receipt.queue, kind: "queue name")
        guard let id = Int64(receipt.id.rawValue), let attempts = Int32(exactly: receipt.delivery) else { return false }
        return try await PlatformPostgres.storage("acknowledging a message") {
            let rows = try await client.query("""
                DELETE FROM \(unescaped: queueTable) WHERE id = \(id) AND queue = \(receipt.queue) AND attempts = \(attempts) RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in rows.decode(Int64.self) { found = true }
            return found
        }
    }

    @discardableResult
    public func nack(_ receipt: QueueReceipt, delay: Duration?) async throws -> Bool {
        try PlatformName.validate(receipt.queue, kind: "queue name")
        if let delay { try PlatformDuration.validateNonNegative(delay, name: "delay") }
        guard let id = Int64(receipt.id.rawValue), let attempts = Int32(exactly: receipt.delivery) else { return false }
        let micros = PlatformDuration.microseconds(delay ?? .zero)
        return try await PlatformPostgres.storage("releasing a message") {
            let rows = try await client.query("""
                UPDATE \(unescaped: queueTable) SET visible_at = now() + \(micros)::bigint * interval '1 microsecond'
                WHERE id = \(id) AND queue = \(receipt.queue) AND attempts = \(attempts) RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in rows.decode(Int64.self) { found = true }
            return found
        }
    }

    public func length(of queue: String) async throws -> Int {
        try PlatformName.validate(queue, kind: "queue name")
        return try await PlatformPostgres.storage("counting a queue") {
            let rows = try await client.query("SELECT count(*) FROM \(unescaped: queueTable) WHERE queue = \(queue)", logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }
}
