import Foundation
import GRDB
import ReactorCore

/// The SQLite ``AIUsageStore``: table `ai_usage` in the store's file, created by its migration `v7`
/// (``SQLiteStore/migrate()``). It shares the ``SQLiteStore``'s connection pool.
public struct SQLiteAIUsageStore: AIUsageStore {
    private let pool: DatabasePool

    /// The usage store in `store`'s file (migrate the store first).
    public init(store: SQLiteStore) {
        self.pool = store.pool
    }

    /// Schema version 7: the AI gateway's usage records (issue 16), one row per request.
    static let schemaV7 = """
        CREATE TABLE ai_usage (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms INTEGER NOT NULL,
            caller TEXT NOT NULL,
            alias TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            kind TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            latency_ms INTEGER NOT NULL,
            first_token_ms INTEGER,
            outcome TEXT NOT NULL,
            attempts INTEGER NOT NULL
        );
        CREATE INDEX ai_usage_caller_at ON ai_usage (caller, at_ms);
        CREATE INDEX ai_usage_at ON ai_usage (at_ms);
        """

    public func append(_ records: [AIUsageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await SideTableAccess(pool: pool, failure: Self.failure).write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO ai_usage (at_ms, caller, alias, provider, model, kind, prompt_tokens, completion_tokens, latency_ms,
                    first_token_ms, outcome, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                try statement.execute(arguments: [
                    Self.milliseconds(r.at), r.caller, r.alias, r.provider, r.model, r.kind, r.promptTokens, r.completionTokens,
                    r.latencyMilliseconds, r.firstTokenMilliseconds, r.outcome, r.attempts,
                ])
            }
        }
    }

    public func summaries(since: Date?, caller: String?) async throws -> [AIUsageSummary] {
        let sinceMS = since.map(Self.milliseconds) ?? Int64.min
        return try await SideTableAccess(pool: pool, failure: Self.failure).read { db in
            var sql = """
                SELECT caller, alias, count(*), sum(outcome <> 'ok'), sum(prompt_tokens), sum(completion_tokens), sum(latency_ms)
                FROM ai_usage WHERE at_ms >= ?
                """
            var arguments: StatementArguments = [sinceMS]
            if let caller {
                sql += " AND caller = ?"
                arguments += [caller]
            }
            sql += " GROUP BY caller, alias ORDER BY caller, alias"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AIUsageSummary(caller: row[0], alias: row[1], requests: row[2], failures: row[3], promptTokens: row[4],
                               completionTokens: row[5], latencyMilliseconds: row[6])
            }
        }
    }

    public func tokensUsed(caller: String, since: Date) async throws -> Int {
        let sinceMS = Self.milliseconds(since)
        return try await SideTableAccess(pool: pool, failure: Self.failure).read { db in
            try Int.fetchOne(db, sql: "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM ai_usage WHERE caller = ? AND at_ms >= ?",
                             arguments: [caller, sinceMS]) ?? 0
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    @Sendable private static func failure(_ error: any Error) -> any Error {
        if let error = error as? ReactorError { return error }
        return ReactorError(.storage, "the SQLite AI usage store failed", details: ["underlying": "\(error)"])
    }
}
