import Foundation
import Logging
import PostgresNIO
import ReactorCore

/// The PostgreSQL ``AIUsageStore``: table `ai_usage` in the store's schema, created by its migration 8
/// (``PostgresStore/migrate()``), shared by every node on the database. It uses the ``PostgresStore``'s connection
/// pool (which must be running).
public struct PostgresAIUsageStore: AIUsageStore {
    private let store: PostgresStore
    private let table: String

    /// The usage store in `store`'s schema.
    public init(store: PostgresStore) {
        self.store = store
        table = store.tables.schema + ".ai_usage"
    }

    /// Schema version 8: the AI gateway's usage records (issue 16), one row per request.
    static func schemaV8(_ s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).ai_usage (
                seq BIGSERIAL PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                caller TEXT NOT NULL,
                alias TEXT NOT NULL,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                kind TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                latency_ms BIGINT NOT NULL,
                first_token_ms BIGINT,
                outcome TEXT NOT NULL,
                attempts BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ai_usage_caller_at ON \(s).ai_usage (caller, at_ms)",
            "CREATE INDEX ai_usage_at ON \(s).ai_usage (at_ms)",
        ]
    }

    public func append(_ records: [AIUsageRecord]) async throws {
        guard !records.isEmpty else { return }
        // One statement (one transaction) for the whole batch: each column as an array, unnested.
        let at = records.map { Self.milliseconds($0.at) }
        let callers = records.map(\.caller), aliases = records.map(\.alias), providers = records.map(\.provider)
        let models = records.map(\.model), kinds = records.map(\.kind), outcomes = records.map(\.outcome)
        let prompt = records.map { Int64($0.promptTokens) }, completion = records.map { Int64($0.completionTokens) }
        let latency = records.map { Int64($0.latencyMilliseconds) }
        let firstToken = records.map { Int64($0.firstTokenMilliseconds ?? -1) }
        let attempts = records.map { Int64($0.attempts) }
        _ = try await run("""
            INSERT INTO \(unescaped: table) (at_ms, caller, alias, provider, model, kind, prompt_tokens, completion_tokens,
                latency_ms, first_token_ms, outcome, attempts)
            SELECT a, c, al, p, m, k, pt, ct, l, NULLIF(f, -1), o, n FROM unnest(\(at)::bigint[], \(callers)::text[],
                \(aliases)::text[], \(providers)::text[], \(models)::text[], \(kinds)::text[], \(prompt)::bigint[],
                \(completion)::bigint[], \(latency)::bigint[], \(firstToken)::bigint[], \(outcomes)::text[], \(attempts)::bigint[])
                AS t(a, c, al, p, m, k, pt, ct, l, f, o, n)
            """)
    }

    public func summaries(since: Date?, caller: String?) async throws -> [AIUsageSummary] {
        let sinceMS = since.map(Self.milliseconds) ?? Int64.min
        let rows: [PostgresRow]
        if let caller {
            rows = try await run("""
                SELECT caller, alias, count(*), count(*) FILTER (WHERE outcome <> 'ok'), sum(prompt_tokens)::bigint,
                    sum(completion_tokens)::bigint, sum(latency_ms)::bigint
                FROM \(unescaped: table) WHERE at_ms >= \(sinceMS) AND caller = \(caller) GROUP BY caller, alias ORDER BY caller, alias
                """)
        } else {
            rows = try await run("""
                SELECT caller, alias, count(*), count(*) FILTER (WHERE outcome <> 'ok'), sum(prompt_tokens)::bigint,
                    sum(completion_tokens)::bigint, sum(latency_ms)::bigint
                FROM \(unescaped: table) WHERE at_ms >= \(sinceMS) GROUP BY caller, alias ORDER BY caller, alias
                """)
        }
        return try rows.map { row in
            let (caller, alias, requests, failures, prompt, completion, latency) =
                try row.decode((String, String, Int64, Int64, Int64, Int64, Int64).self)
            return AIUsageSummary(caller: caller, alias: alias, requests: Int(requests), failures: Int(failures), promptTokens: Int(prompt),
                                  completionTokens: Int(completion), latencyMilliseconds: Int(latency))
        }
    }

    public func tokensUsed(caller: String, since: Date) async throws -> Int {
        let rows = try await run(
            "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint FROM \(unescaped: table) WHERE caller = \(caller) AND at_ms >= \(Self.milliseconds(since))"
        )
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await store.read { c in try await c.query(query, logger: store.logger).collect() }
    }
}
