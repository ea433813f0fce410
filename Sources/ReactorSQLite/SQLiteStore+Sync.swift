import GRDB
import ReactorCore

/// Sync's records (``SyncRecordStore``) in the `sync_records` table of the store's file, beside the operations they
/// describe. Writes run on the writer connection (between group-commit transactions), reads on a reader.
extension SQLiteStore: SyncRecordStore {
    /// Stores `value` under (`kind`, `key`), replacing what was there.
    public func putSyncRecord(kind: String, key: String, value: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: SyncSQL.put).execute(arguments: [kind, key, value])
        }
    }

    /// Stores `value` under (`kind`, `key`) unless something is there already; returns what is stored afterwards.
    /// The insert and the read run in one write transaction, so concurrent callers all get the first value stored.
    public func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String {
        try await write { db in
            try db.cachedStatement(sql: SyncSQL.insertIfAbsent).execute(arguments: [kind, key, value])
            guard let stored = try String.fetchOne(db.cachedStatement(sql: SyncSQL.get), arguments: [kind, key]) else {
                throw ReactorError(.storage, "a sync record vanished inside its write transaction", details: ["kind": kind, "key": key])
            }
            return stored
        }
    }

    /// The value under (`kind`, `key`), or nil.
    public func syncRecord(kind: String, key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db.cachedStatement(sql: SyncSQL.get), arguments: [kind, key]) }
    }

    /// Up to `limit` records of `kind` whose key is greater than `after` (nil: from the first), in byte order of the
    /// keys (SQLite's `BINARY` collation).
    public func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord] {
        guard limit > 0 else { return [] }
        return try await read { db in
            let statement: Statement
            let arguments: StatementArguments
            if let after {
                statement = try db.cachedStatement(sql: SyncSQL.listAfter)
                arguments = [kind, after, limit]
            } else {
                statement = try db.cachedStatement(sql: SyncSQL.list)
                arguments = [kind, limit]
            }
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            var out: [SyncRecord] = []
            while let row = try rows.next() {
                out.append(SyncRecord(key: try row.decode(String.self, atIndex: 0), value: try row.decode(String.self, atIndex: 1)))
            }
            return out
        }
    }

    /// Deletes the record under (`kind`, `key`), or every record of `kind` when `key` is nil. Returns how many went.
    @discardableResult
    public func deleteSyncRecords(kind: String, key: String?) async throws -> Int {
        try await write { db in
            if let key {
                try db.cachedStatement(sql: SyncSQL.delete).execute(arguments: [kind, key])
            } else {
                try db.cachedStatement(sql: SyncSQL.deleteKind).execute(arguments: [kind])
            }
            return db.changesCount
        }
    }

    /// Runs `body` in a write transaction on the writer connection, mapping errors like the other writes.
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw ReactorError.sqliteReadFailure(error)
        }
    }
}

private enum SyncSQL {
    static let put = """
        INSERT INTO sync_records (kind, key, value) VALUES (?, ?, ?)
        ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value
        """
    static let insertIfAbsent = "INSERT INTO sync_records (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO NOTHING"
    static let get = "SELECT value FROM sync_records WHERE kind = ? AND key = ?"
    static let list = "SELECT key, value FROM sync_records WHERE kind = ? ORDER BY key LIMIT ?"
    static let listAfter = "SELECT key, value FROM sync_records WHERE kind = ? AND key > ? ORDER BY key LIMIT ?"
    static let delete = "DELETE FROM sync_records WHERE kind = ? AND key = ?"
    static let deleteKind = "DELETE FROM sync_records WHERE kind = ?"
}
