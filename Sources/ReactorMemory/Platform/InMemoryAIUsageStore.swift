import Foundation
import ReactorCore
import Synchronization

/// The in-memory ``AIUsageStore``: the default beside the in-memory reactor store. Everything is lost when the
/// process ends.
public final class InMemoryAIUsageStore: AIUsageStore {
    private let records = Mutex<[AIUsageRecord]>([])

    /// An empty store.
    public init() {}

    public func append(_ new: [AIUsageRecord]) async throws {
        records.withLock { $0.append(contentsOf: new) }
    }

    public func summaries(since: Date?, caller: String?) async throws -> [AIUsageSummary] {
        let selected = records.withLock { all in
            all.filter { record in since.map { record.at >= $0 } ?? true && caller.map { record.caller == $0 } ?? true }
        }
        return AIUsageSummary.summing(selected)
    }

    public func tokensUsed(caller: String, since: Date) async throws -> Int {
        records.withLock { all in
            all.reduce(0) { sum, record in
                record.caller == caller && record.at >= since ? sum + record.promptTokens + record.completionTokens : sum
            }
        }
    }
}
