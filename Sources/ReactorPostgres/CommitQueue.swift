import ReactorCore
import Synchronization

/// Group commit: coalesces concurrent ``PostgresStore/commit(_:)`` callers into shared write transactions.
///
/// A caller enqueues its commits and suspends. The writer loop (``run(_:)``, a child task of
/// ``PostgresStore/run()``) takes everything pending (up to ``maxBatch`` commits), writes it in one transaction and
/// resumes every waiter with its own results; callers arriving meanwhile go into the next transaction. Because the
/// write runs in the store's own task, cancelling one caller never aborts a transaction that carries other callers'
/// commits.
final class CommitQueue: Sendable {
    typealias Results = [Result<CommitReceipt, ReactorError>]

    private struct Waiter {
        var commits: [PreparedCommit]
        var continuation: CheckedContinuation<Results, Never>
    }

    private struct State {
        var pending: [Waiter] = []
        /// Set when the writer loop has ended: later commits fail with it.
        var stopped: ReactorError?
        /// Set by ``close()``: later commits fail with it.
        var closed: ReactorError?
        var transactions = 0
    }

    /// The most commits one transaction carries (a single caller's commits are never split).
    static let maxBatch = 512

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stores `commits` in one of the next transactions and returns their results, in order.
    func submit(_ commits: [PreparedCommit]) async -> Results {
        guard !commits.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let rejection = state.withLock { s -> ReactorError? in
                if let error = s.closed ?? s.stopped { return error }
                s.pending.append(Waiter(commits: commits, continuation: continuation))
                return nil
            }
            if let rejection {
                continuation.resume(returning: commits.map { _ in .failure(rejection) })
            } else {
                wake.yield()
            }
        }
    }

    /// Refuses further commits with `STORAGE_ERROR`; those already accepted are still written while the loop runs.
    func close() {
        state.withLock { $0.closed = ReactorError(.storage, "the PostgreSQL store is closed") }
    }

    /// How many write transactions the loop has run (for tests and diagnostics).
    var transactionCount: Int { state.withLock { $0.transactions } }

    /// The writer loop: writes batches with `write` until the calling task is cancelled, then fails whatever is
    /// still pending (transient `STORAGE_ERROR`: the store stopped). Call at most once.
    func run(_ write: ([PreparedCommit]) async -> Results) async {
        for await _ in wakeups {
            while let batch = takeBatch() {
                let results = await write(batch.flatMap(\.commits))
                var offset = 0
                for waiter in batch {
                    let n = waiter.commits.count
                    waiter.continuation.resume(returning: Array(results[offset..<offset + n]))
                    offset += n
                }
            }
        }
        let stopped = ReactorError(.storage, "the PostgreSQL store is not running (its run() ended)", isTransient: true)
        let left = state.withLock { s -> [Waiter] in
            s.stopped = stopped
            defer { s.pending.removeAll() }
            return s.pending
        }
        for waiter in left { waiter.continuation.resume(returning: waiter.commits.map { _ in .failure(stopped) }) }
    }

    private func takeBatch() -> [Waiter]? {
        state.withLock { s -> [Waiter]? in
            guard !s.pending.isEmpty else { return nil }
            var count = 0
            var taken = 0
            while taken < s.pending.count, taken == 0 || count + s.pending[taken].commits.count <= Self.maxBatch {
                count += s.pending[taken].commits.count
                taken += 1
            }
            let batch = Array(s.pending.prefix(taken))
            s.pending.removeFirst(taken)
            s.transactions += 1
            return batch
        }
    }
}
