import PostgresNIO
import ReactorCore

/// Sync's records (``SyncRecordStore``) in the `sync_records` table of the store's schema, beside the operations
/// they describe. Each call is one or two single statements on a pooled connection; none takes the write lock (sync
/// records draw no ordinals).
extension PostgresStore: SyncRecordStore {
    /// Stores `value` under (`kind`, `key`), replacing what was there.
    public func putSyncRecord(kind: String, key: String, value: String) async throws {
        let t = tables
        try await read { c in
            _ = try await c.query("""
                INSERT INTO \(unescaped: t.syncRecords) (kind, key, value) VALUES (\(kind), \(key), \(value))
                ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger).collect()
        }
    }

    /// Stores `value` under (`kind`, `key`) unless something is there already; returns what is stored afterwards.
    ///
    /// The insert does nothing on a conflict, even with a transaction that has not committed yet (it waits for it);
    /// the read that follows is a new statement, so it sees the winner's row. Concurrent callers therefore all get
    /// the first value stored. Should the row be deleted between the two statements, the insert is tried again.
    public func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String {
        let t = tables
        return try await read { c in
            for _ in 0..<Self.insertIfAbsentAttempts {
                let inserted = try await c.query("""
                    INSERT INTO \(unescaped: t.syncRecords) (kind, key, value) VALUES (\(kind), \(key), \(value))
                    ON CONFLICT (kind, key) DO NOTHING RETURNING value
                    """, logger: logger).collect()
                if let row = inserted.first { return try row.decode(String.self) }
                let stored = try await c.query(
                    "SELECT value FROM \(unescaped: t.syncRecords) WHERE kind = \(kind) AND key = \(key)", logger: logger
                ).collect()
                if let row = stored.first { return try row.decode(String.self) }
            }
            throw ReactorError(
                .storage, "a sync record was deleted each time it was about to be read back", details: ["kind": kind, "key": key],
                isTransient: true)
        }
    }

    /// The value under (`kind`, `key`), or nil.
    public func syncRecord(kind: String, key: String) async throws -> String? {
        let t = tables
        return try await read { c in
            try await c.query("SELECT value FROM \(unescaped: t.syncRecords) WHERE kind = \(kind) AND key = \(key)", logger: logger)
                .collect().first.map { try $0.decode(String.self) }
        }
    }

    /// Up to `limit` records of `kind` whose key is greater than `after` (nil: from the first), in byte order of the
    /// keys (the column's "C" collation).
    public func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord] {
        guard limit > 0 else { return [] }
        let t = tables
        let statement: PostgresQuery
        if let after {
            statement = """
                SELECT key, value FROM \(unescaped: t.syncRecords) WHERE kind = \(kind) AND key > \(after)
                ORDER BY key LIMIT \(Int64(limit))
                """
        } else {
            statement = """
                SELECT key, value FROM \(unescaped: t.syncRecords) WHERE kind = \(kind) ORDER BY key LIMIT \(Int64(limit))
                """
        }
        return try await read { c in
            try await c.query(statement, logger: logger).collect().map { row in
                let (key, value) = try row.decode((String, String).self)
                return SyncRecord(key: key, value: value)
            }
        }
    }

    /// Deletes the record under (`kind`, `key`), or every record of `kind` when `key` is nil. Returns how many went.
    @discardableResult
    public func deleteSyncRecords(kind: String, key: String?) async throws -> Int {
        let t = tables
        return try await read { c in
            let count = try await c.query("""
                WITH d AS (DELETE FROM \(unescaped: t.syncRecords)
                           WHERE kind = \(kind) AND (\(key)::text IS NULL OR key = \(key)::text) RETURNING 1)
                SELECT count(*) FROM d
                """, logger: logger).collect().first.map { try $0.decode(Int64.self) } ?? 0
            return Int(count)
        }
    }

    /// How many times ``insertSyncRecordIfAbsent(kind:key:value:)`` tries before giving up (each retry needs a
    /// concurrent delete of the same record).
    private static let insertIfAbsentAttempts = 10
}
