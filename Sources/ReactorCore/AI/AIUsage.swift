import Foundation

/// One metered gateway request (issue 16): who asked, through which alias and upstream, what it cost and how it
/// ended. Written once per request, whatever the outcome (a failed or cancelled request too).
public struct AIUsageRecord: Sendable, Hashable, Codable {
    /// The caller: the token's subject, or `anonymous` when auth is off.
    public var caller: String
    /// What the request named (an alias, or `provider:model`).
    public var alias: String
    /// The provider that answered (the last one tried when none did); empty when none was tried.
    public var provider: String
    /// The upstream model.
    public var model: String
    /// `chat`, `chat_stream` or `embeddings`.
    public var kind: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Milliseconds from the request to the end of the answer.
    public var latencyMilliseconds: Int
    /// Milliseconds to the first streamed chunk (streams only).
    public var firstTokenMilliseconds: Int?
    /// `ok`, `cancelled` (the client went away), or the error code the request ended with.
    public var outcome: String
    /// How many targets were tried (more than one after a fallback).
    public var attempts: Int
    /// When the request started.
    public var at: Date

    public init(
        caller: String, alias: String, provider: String, model: String, kind: String, promptTokens: Int = 0,
        completionTokens: Int = 0, latencyMilliseconds: Int = 0, firstTokenMilliseconds: Int? = nil, outcome: String = "ok",
        attempts: Int = 1, at: Date
    ) {
        self.caller = caller
        self.alias = alias
        self.provider = provider
        self.model = model
        self.kind = kind
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.firstTokenMilliseconds = firstTokenMilliseconds
        self.outcome = outcome
        self.attempts = attempts
        self.at = at
    }
}

/// Usage summed per caller and alias (`GET /ai/v1/usage`).
public struct AIUsageSummary: Sendable, Hashable, Codable {
    public var caller: String
    public var alias: String
    public var requests: Int
    /// Requests that ended other than `ok`.
    public var failures: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// The summed latency, in milliseconds (divide by `requests` for the mean).
    public var latencyMilliseconds: Int

    public init(caller: String, alias: String, requests: Int = 0, failures: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0, latencyMilliseconds: Int = 0) {
        self.caller = caller
        self.alias = alias
        self.requests = requests
        self.failures = failures
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
    }

    /// The sums of `records` per (caller, alias), sorted by caller then alias.
    public static func summing(_ records: some Sequence<AIUsageRecord>) -> [AIUsageSummary] {
        var sums: [String: AIUsageSummary] = [:]
        for record in records {
            let key = record.caller + "\u{0}" + record.alias
            var sum = sums[key] ?? AIUsageSummary(caller: record.caller, alias: record.alias)
            sum.add(record)
            sums[key] = sum
        }
        return sums.values.sorted { ($0.caller, $0.alias) < ($1.caller, $1.alias) }
    }

    /// Adds one request.
    public mutating func add(_ record: AIUsageRecord) {
        requests += 1
        if record.outcome != "ok" { failures += 1 }
        promptTokens += record.promptTokens
        completionTokens += record.completionTokens
        latencyMilliseconds += record.latencyMilliseconds
    }
}

/// Where the gateway keeps its usage records: the server's own store (SQLite `v7`, PostgreSQL migration 8), or
/// memory beside the in-memory store. Adapters pass `ReactorTesting.AIUsageStoreConformance`.
public protocol AIUsageStore: Sendable {
    /// Appends records (one transaction).
    func append(_ records: [AIUsageRecord]) async throws
    /// The sums per (caller, alias) of the records at or after `since` (every record when nil), of one caller when
    /// `caller` is set, sorted by caller then alias.
    func summaries(since: Date?, caller: String?) async throws -> [AIUsageSummary]
    /// The tokens (prompt and completion) `caller` used at or after `since`.
    func tokensUsed(caller: String, since: Date) async throws -> Int
}
