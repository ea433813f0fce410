import GRDB

/// The versioned schema of a ``SQLiteStore`` file. Migrations are append-only: never edit a published one, add
/// `"v2"`, `"v3"` … instead.
enum SQLiteSchema {
    /// The migrator holding every schema version, in order.
    static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
        }
        // Identity (issue 14): the identity service's users, refresh-token sessions and API keys.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: SQLiteIdentityStore.schemaV4)
        }
        // Functions (issue 15): function records and versions (the modules are in the blob store).
        migrator.registerMigration("v5") { db in
            try db.execute(sql: SQLiteFunctionStore.schemaV5)
        }
        // Document models as WASM modules (issue 15): the records of models registered at run time.
        migrator.registerMigration("v6") { db in
            try db.execute(sql: SQLiteModelRecordStore.schemaV6)
        }
        // AI gateway (issue 16): usage records, one per request.
        migrator.registerMigration("v7") { db in
            try db.execute(sql: SQLiteAIUsageStore.schemaV7)
        }
        return migrator
    }

    /// Version 1: documents, streams, operations, keyframes, relationships, cursors.
    static let v1 = """
        CREATE TABLE documents (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            slug TEXT UNIQUE,
            document_type TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            header TEXT NOT NULL
        );
        CREATE INDEX documents_by_type ON documents(document_type, seq);

        CREATE TABLE streams (
            document_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            branch TEXT NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (document_id, scope, branch)
        ) WITHOUT ROWID;

        CREATE TABLE operations (
            ordinal INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            branch TEXT NOT NULL,
            idx INTEGER NOT NULL,
            op_id TEXT NOT NULL UNIQUE,
            skip INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            hash TEXT NOT NULL,
            action_id TEXT NOT NULL,
            action_type TEXT NOT NULL,
            action_scope TEXT NOT NULL,
            action_timestamp INTEGER NOT NULL,
            input TEXT NOT NULL,
            context TEXT,
            error TEXT,
            document_type TEXT NOT NULL,
            UNIQUE (document_id, scope, branch, idx)
        );
        CREATE INDEX operations_by_document ON operations(document_id, branch, ordinal);

        CREATE TABLE keyframes (
            document_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            branch TEXT NOT NULL,
            idx INTEGER NOT NULL,
            state TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (document_id, scope, branch, idx)
        );

        CREATE TABLE relationships (
            source_id TEXT NOT NULL,
            target_id TEXT NOT NULL,
            type TEXT NOT NULL,
            PRIMARY KEY (source_id, target_id, type)
        ) WITHOUT ROWID;
        CREATE INDEX relationships_by_target ON relationships(target_id, type, source_id);

        CREATE TABLE cursors (
            name TEXT PRIMARY KEY NOT NULL,
            ordinal INTEGER NOT NULL
        ) WITHOUT ROWID;
        """

    /// Version 2: sync. Each operation's origin (the peer reactor it came from; NULL when written here), and sync's
    /// records (``SyncRecordStore``) keyed by (kind, key). Keys compare with SQLite's default `BINARY` collation, i.e.
    /// in byte order.
    static let v2 = """
        ALTER TABLE operations ADD COLUMN origin TEXT;

        CREATE TABLE sync_records (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        """
}

extension SQLiteSchema {
    /// Version 3: fewer pages per commit.
    ///
    /// - `operations.ordinal` becomes a plain `INTEGER PRIMARY KEY` (the rowid) instead of `AUTOINCREMENT`, so a
    ///   commit no longer updates `sqlite_sequence`. Ordinals stay monotonic because operations are never deleted
    ///   (no statement of the store deletes from `operations`; a rolled-back insert also rolled back
    ///   `sqlite_sequence` before): SQLite gives a new row the highest rowid + 1. The table is rebuilt with every
    ///   row, ordinal, index and column as it was.
    /// - `streams.header_modified_at`: a commit whose header differs from the stored one only in `revision` and
    ///   `lastModifiedAt` (every job that writes no document-scope change) leaves the `documents` row alone and marks
    ///   the streams it advanced instead (see ``CommitWriter``). The stored header is then the `documents` row's
    ///   header with, for each marked stream, its revision and the latest `lastModifiedAt`
    ///   (``SQLiteStore/header(id:)``). Existing rows have no marks: their header is the `documents` row's, as before.
    static let v3 = """
        CREATE TABLE operations_v3 (
            ordinal INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            branch TEXT NOT NULL,
            idx INTEGER NOT NULL,
            op_id TEXT NOT NULL UNIQUE,
            skip INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            hash TEXT NOT NULL,
            action_id TEXT NOT NULL,
            action_type TEXT NOT NULL,
            action_scope TEXT NOT NULL,
            action_timestamp INTEGER NOT NULL,
            input TEXT NOT NULL,
            context TEXT,
            error TEXT,
            document_type TEXT NOT NULL,
            origin TEXT,
            UNIQUE (document_id, scope, branch, idx)
        );
        INSERT INTO operations_v3 (ordinal, document_id, scope, branch, idx, op_id, skip, timestamp, hash, action_id,
            action_type, action_scope, action_timestamp, input, context, error, document_type, origin)
        SELECT ordinal, document_id, scope, branch, idx, op_id, skip, timestamp, hash, action_id,
            action_type, action_scope, action_timestamp, input, context, error, document_type, origin
        FROM operations ORDER BY ordinal;
        DROP TABLE operations;
        ALTER TABLE operations_v3 RENAME TO operations;
        CREATE INDEX operations_by_document ON operations(document_id, branch, ordinal);

        ALTER TABLE streams ADD COLUMN header_modified_at INTEGER;
        """
}

/// SQL used by both the reader (``SQLiteStore``) and the writer (``CommitWriter``).
enum SharedSQL {
    static let documentIDForSlug = "SELECT id FROM documents WHERE slug = ?"
}
