import Foundation
import ReactorCore

/// The conformance suite every ``AIUsageStore`` adapter passes (in memory, SQLite, PostgreSQL): records are summed
/// per caller and alias, failures counted, filtered by time and caller; a caller's tokens since a time.
public enum AIUsageStoreConformance {
    /// One named check; `run` gets a fresh, empty store.
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (any AIUsageStore) async throws -> Void
        public var description: String { name }
    }

    static let day = Date(timeIntervalSince1970: 1_760_000_000)

    static func record(_ caller: String, _ alias: String, prompt: Int, completion: Int, outcome: String = "ok", at offset: TimeInterval = 0) -> AIUsageRecord {
        AIUsageRecord(caller: caller, alias: alias, provider: "p", model: "m", kind: "chat", promptTokens: prompt, completionTokens: completion,
                      latencyMilliseconds: 10, firstTokenMilliseconds: offset > 0 ? 3 : nil, outcome: outcome, attempts: 1, at: day.addingTimeInterval(offset))
    }

    public static let cases: [Case] = [
        Case(name: "an empty store sums to nothing") { store in
            let all = try await store.summaries(since: nil, caller: nil)
            try check(all.isEmpty, "summaries: \(all)")
            let used = try await store.tokensUsed(caller: "alice", since: day)
            try check(used == 0, "tokens used: \(used)")
        },
        Case(name: "records are summed per caller and alias") { store in
            try await store.append([
                record("alice", "fast", prompt: 10, completion: 5), record("alice", "fast", prompt: 1, completion: 2, outcome: "AI_UPSTREAM_TIMEOUT"),
                record("alice", "power", prompt: 100, completion: 50), record("bob", "fast", prompt: 7, completion: 0, outcome: "cancelled"),
            ])
            try await store.append([])
            let all = try await store.summaries(since: nil, caller: nil)
            let expected = [
                AIUsageSummary(caller: "alice", alias: "fast", requests: 2, failures: 1, promptTokens: 11, completionTokens: 7, latencyMilliseconds: 20),
                AIUsageSummary(caller: "alice", alias: "power", requests: 1, failures: 0, promptTokens: 100, completionTokens: 50, latencyMilliseconds: 10),
                AIUsageSummary(caller: "bob", alias: "fast", requests: 1, failures: 1, promptTokens: 7, completionTokens: 0, latencyMilliseconds: 10),
            ]
            try check(all == expected, "summaries: \(all)")
            let bob = try await store.summaries(since: nil, caller: "bob")
            try check(bob == [expected[2]], "bob: \(bob)")
        },
        Case(name: "since filters by time, and tokens used count from it") { store in
            try await store.append([
                record("alice", "fast", prompt: 10, completion: 5, at: -60), record("alice", "fast", prompt: 1, completion: 2, at: 0),
                record("alice", "fast", prompt: 3, completion: 4, at: 3600), record("bob", "fast", prompt: 1000, completion: 1, at: 10),
            ])
            let today = try await store.summaries(since: day, caller: "alice")
            try check(today.first?.requests == 2 && today.first?.promptTokens == 4 && today.first?.completionTokens == 6, "since: \(today)")
            let used = try await store.tokensUsed(caller: "alice", since: day)
            try check(used == 10, "alice used \(used)")
            let later = try await store.tokensUsed(caller: "alice", since: day.addingTimeInterval(3601))
            try check(later == 0, "alice used \(later) after the last record")
        },
        Case(name: "many records in one append") { store in
            try await store.append((0..<500).map { record("caller-\($0 % 5)", "fast", prompt: 1, completion: 1, at: Double($0)) })
            let all = try await store.summaries(since: nil, caller: nil)
            try check(all.count == 5 && all.allSatisfy { $0.requests == 100 && $0.promptTokens == 100 }, "summaries: \(all)")
        },
    ]

    static func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
        if !condition { throw ConformanceFailure(message(), file: file, line: line) }
    }
}
