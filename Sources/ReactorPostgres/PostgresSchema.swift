/// The versioned schema of a ``PostgresStore``. Migrations are append-only: never edit a published one, add version
/// 2, 3 … instead. Applied versions are recorded in `schema_migrations` inside the store's schema.
///
/// JSON (headers, action inputs and contexts, keyframe states, job errors and tokens) is stored as canonical JSON
/// *text*, not `jsonb`: text round-trips exactly, costs no parsing on write, and accepts every string the other stores
/// accept, while `jsonb` rejects `\u0000`. The columns that queries filter on are real columns beside it.
enum PostgresSchema {
    /// One migration: its version and its statements (run one by one, in one transaction).
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// Every migration, in order, for tables in `schema` (a quoted identifier).
    static func migrations(schema s: String) -> [Migration] {
        [
            Migration(version: 1, name: "documents, streams, operations, keyframes, relationships, cursors, jobs", statements: v1(s)),
            Migration(version: 2, name: "job ledger: cluster-wide job order, payloads, nodes", statements: v2(s)),
            Migration(version: 3, name: "sync: operation origins, sync records", statements: v3(s)),
            Migration(version: 4, name: "parallel writers: ordinals from transaction ids, the feed's horizon", statements: v4(s)),
            // Identity (issue 14).
            Migration(version: 5, name: "identity: users, refresh-token sessions, API keys", statements: PostgresIdentityStore.schemaV5(s)),
            // Functions (issue 15).
            Migration(version: 6, name: "functions: function records and versions", statements: PostgresFunctionStore.schemaV6(s)),
            // Document models as WASM modules (issue 15).
            Migration(version: 7, name: "document models registered at run time", statements: PostgresModelRecordStore.schemaV7(s)),
            // AI gateway (issue 16).
            Migration(version: 8, name: "AI gateway usage records", statements: PostgresAIUsageStore.schemaV8(s)),
        ]
    }

    /// The table that records applied versions.
    static func migrationsTable(schema s: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(s).schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    }

    /// Version 1.
    static func v1(_ s: String) -> [String] {
        [
            // One row per document, in creation order (`seq` is the paging cursor of `findHeaders`).
            """
            CREATE TABLE \(s).documents (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL CONSTRAINT documents_id_key UNIQUE,
                slug TEXT CONSTRAINT documents_slug_key UNIQUE,
                document_type TEXT NOT NULL,
                deleted BOOLEAN NOT NULL,
                header TEXT NOT NULL
            )
            """,
            "CREATE INDEX documents_by_type ON \(s).documents (document_type, seq)",
            // The revision (next index) of every stream that has operations.
            """
            CREATE TABLE \(s).streams (
                document_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                branch TEXT NOT NULL,
                revision BIGINT NOT NULL,
                PRIMARY KEY (document_id, scope, branch)
            )
            """,
            // The operation log. `ordinal` is the reactor-wide ordinal (see `PostgresStore`, "Ordinals").
            """
            CREATE TABLE \(s).operations (
                ordinal BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                document_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                branch TEXT NOT NULL,
                idx BIGINT NOT NULL,
                op_id TEXT NOT NULL CONSTRAINT operations_op_id_key UNIQUE,
                skip BIGINT NOT NULL,
                op_timestamp BIGINT NOT NULL,
                hash TEXT NOT NULL,
                action_id TEXT NOT NULL,
                action_type TEXT NOT NULL,
                action_scope TEXT NOT NULL,
                action_timestamp BIGINT NOT NULL,
                input TEXT NOT NULL,
                context TEXT,
                error_json TEXT,
                document_type TEXT NOT NULL,
                CONSTRAINT operations_stream_position_key UNIQUE (document_id, scope, branch, idx)
            )
            """,
            "CREATE INDEX operations_by_document ON \(s).operations (document_id, branch, ordinal)",
            """
            CREATE TABLE \(s).keyframes (
                document_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                branch TEXT NOT NULL,
                idx BIGINT NOT NULL,
                state TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (document_id, scope, branch, idx)
            )
            """,
            """
            CREATE TABLE \(s).relationships (
                source_id TEXT NOT NULL,
                target_id TEXT NOT NULL,
                type TEXT NOT NULL,
                PRIMARY KEY (source_id, target_id, type)
            )
            """,
            "CREATE INDEX relationships_by_target ON \(s).relationships (target_id, type, source_id)",
            """
            CREATE TABLE \(s).cursors (
                name TEXT PRIMARY KEY,
                ordinal BIGINT NOT NULL
            )
            """,
            // Persisted job records (see `PostgresJobRecords`); times in ms since 1970 like every other timestamp.
            """
            CREATE TABLE \(s).jobs (
                id TEXT PRIMARY KEY,
                document_id TEXT NOT NULL,
                status TEXT NOT NULL,
                error TEXT,
                consistency_token TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                attempt INTEGER NOT NULL DEFAULT 0,
                claimed_by TEXT,
                claimed_until BIGINT
            )
            """,
            "CREATE INDEX jobs_by_document ON \(s).jobs (document_id, created_at)",
            "CREATE INDEX jobs_claimable ON \(s).jobs (status, claimed_until)",
        ]
    }

    /// Version 2: the job ledger (see `PostgresJobLedger`). A job row is written when a node accepts the job
    /// (`status = 'PENDING'`, `claimed_by` = the node), and finished by its fenced commit (`WRITE_READY`) or by the
    /// node (`READ_READY`, `FAILED`). `seq` is the cluster-wide order of jobs; `nodes` holds the nodes' heartbeats.
    static func v2(_ s: String) -> [String] {
        [
            "ALTER TABLE \(s).jobs ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY",
            "ALTER TABLE \(s).jobs ADD COLUMN branch TEXT NOT NULL DEFAULT 'main'",
            // The job as canonical JSON (`{"actions": [...]}` or `{"operations": [...]}`) and its dependencies (a
            // JSON array of job ids), so that another node can run it.
            "ALTER TABLE \(s).jobs ADD COLUMN payload TEXT",
            "ALTER TABLE \(s).jobs ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]'",
            "CREATE UNIQUE INDEX jobs_seq_key ON \(s).jobs (seq)",
            "CREATE INDEX jobs_unfinished_by_document ON \(s).jobs (document_id, seq) WHERE status = 'PENDING'",
            "CREATE INDEX jobs_unfinished_by_owner ON \(s).jobs (claimed_by, seq) WHERE status = 'PENDING'",
            "CREATE INDEX jobs_finished_by_time ON \(s).jobs (updated_at) WHERE status <> 'PENDING'",
            """
            CREATE TABLE \(s).nodes (
                id TEXT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                seen_at BIGINT NOT NULL
            )
            """,
        ]
    }

    /// Version 3: sync. Each operation's origin (the peer reactor it came from; NULL when written here: adding a
    /// nullable column without a default rewrites nothing), and sync's records (`SyncRecordStore`) keyed by
    /// (kind, key). The keys use the "C" collation: byte order, as in the other stores, whatever the database's
    /// locale.
    static func v3(_ s: String) -> [String] {
        [
            "ALTER TABLE \(s).operations ADD COLUMN origin TEXT",
            """
            CREATE TABLE \(s).sync_records (
                kind TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (kind, key)
            )
            """,
        ]
    }

    /// How many ordinals one write transaction can draw: ordinals are `base + xid8 · 2^20 + k`, `0 ≤ k < 2^20`.
    static let ordinalsPerTransaction: Int64 = 1 << 20

    /// Version 4: writers in parallel (see `PostgresStore`, "Ordinals").
    ///
    /// - `ordinal` is no longer an identity column: a write transaction computes its ordinals from its own
    ///   transaction id (`transaction_ordinal_base()`: `base + xid8 · 2^20`, plus the operation's position in the
    ///   transaction), so ordinals follow transaction ids. The existing values stay; `base` is chosen once, here, so
    ///   that every new ordinal is above every existing one (it is 0 unless the log holds more than 2^20 operations
    ///   per transaction so far).
    /// - `ordinal_horizon()`: the lowest ordinal a transaction that is still running (or not started) may hold, from
    ///   the statement's snapshot (`pg_snapshot_xmin`). The feed reads only below it.
    /// - `commit_mismatch()`: raised by the one-statement commit when a header, stream or job fence did not match
    ///   (SQLSTATE `RX001`), so the statement (or the transaction) is undone and the writer takes the step-by-step
    ///   path.
    ///
    /// The migration first waits for the write lock of version 1 to 3, so no writer of an older version is in the
    /// middle of a commit; writers of an older version cannot write afterwards (their inserts have no ordinal).
    static func v4(_ s: String) -> [String] {
        let name = s.filter { $0 != "\"" }
        let shift = 20
        return [
            "SELECT pg_advisory_xact_lock(\(PostgresTables.lockKey("reactor.write:" + name)))",
            "ALTER TABLE \(s).operations ALTER COLUMN ordinal DROP IDENTITY",
            """
            DO $migration$
            DECLARE base int8;
            BEGIN
                SELECT GREATEST(0, COALESCE(max(ordinal), 0) + 1 - (pg_current_xact_id()::text::int8 << \(shift)))
                    INTO base FROM \(s).operations;
                EXECUTE format($f$CREATE FUNCTION \(s).transaction_ordinal_base() RETURNS int8 LANGUAGE sql VOLATILE
                    AS 'SELECT %s::int8 + (pg_current_xact_id()::text::int8 << \(shift))'$f$, base);
                EXECUTE format($f$CREATE FUNCTION \(s).ordinal_horizon() RETURNS int8 LANGUAGE sql STABLE
                    AS 'SELECT %s::int8 + (pg_snapshot_xmin(pg_current_snapshot())::text::int8 << \(shift))'$f$, base);
            END
            $migration$
            """,
            """
            CREATE FUNCTION \(s).commit_mismatch() RETURNS int8 LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
                RAISE EXCEPTION 'a commit did not match the stored document, streams or job' USING ERRCODE = 'RX001';
            END
            $$
            """,
        ]
    }
}
