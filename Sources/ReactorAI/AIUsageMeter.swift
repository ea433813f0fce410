import Foundation
import ReactorCore
import ServiceLifecycle
import Synchronization

/// Collects the gateway's usage records and writes them to the ``AIUsageStore`` in batches, off the request path:
/// a request records synchronously (so a cancelled request is still counted, exactly once) and the meter's
/// `run()` — a `Service` in the server's group — writes what is pending. ``flush()`` writes at once (reads of the
/// totals flush first).
public final class AIUsageMeter: Service {
    public let store: any AIUsageStore
    private let pending = Mutex<[AIUsageRecord]>([])
    private let signal: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let observers = Mutex<[@Sendable (AIUsageRecord) -> Void]>([])

    /// A meter writing to `store`.
    public init(store: any AIUsageStore) {
        self.store = store
        (signal, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Records one request.
    public func record(_ record: AIUsageRecord) {
        pending.withLock { $0.append(record) }
        for observer in observers.withLock({ $0 }) { observer(record) }
        wake.yield()
    }

    /// Calls `observer` with every record from now on, as it is made (the server's Prometheus counters).
    public func observe(_ observer: @escaping @Sendable (AIUsageRecord) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The records not written yet.
    public var pendingCount: Int { pending.withLock { $0.count } }

    /// Writes every pending record. On a store failure the records are kept for the next try, and the error thrown.
    public func flush() async throws {
        let batch = pending.withLock { p -> [AIUsageRecord] in
            defer { p.removeAll() }
            return p
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.append(batch)
        } catch {
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
    }

    /// The tokens `caller` used since `since`, the pending records included.
    public func tokensUsed(caller: String, since: Date) async throws -> Int {
        let unwritten = pending.withLock { p in
            p.reduce(0) { $1.caller == caller && $1.at >= since ? $0 + $1.promptTokens + $1.completionTokens : $0 }
        }
        return try await store.tokensUsed(caller: caller, since: since) + unwritten
    }

    /// The sums per caller and alias (after a flush).
    public func summaries(since: Date?, caller: String?) async throws -> [AIUsageSummary] {
        try await flush()
        return try await store.summaries(since: since, caller: caller)
    }

    /// Writes records as they come until graceful shutdown, then what is left.
    public func run() async throws {
        for await _ in signal.cancelOnGracefulShutdown() {
            try? await flush()
        }
        try? await flush()
    }
}
