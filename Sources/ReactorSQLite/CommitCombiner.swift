import GRDB
import ReactorCore
import Synchronization

/// Group commit: coalesces concurrent ``SQLiteStore/commit(_:)`` callers into shared write transactions.
///
/// A caller enqueues its commits and suspends on a continuation. The first caller to find no drain scheduled
/// schedules one on GRDB's serial writer queue; when the drain runs it takes everything pending (up to
/// ``maxBatch`` commits) and writes it in one transaction with a savepoint per commit, then resumes every waiter with
/// its own results. Callers arriving while a transaction is being written wait for the next drain, so under load
/// each transaction carries all the commits that arrived during the previous one.
///
/// The write runs on GRDB's writer queue, not in the caller's task: cancelling one caller never aborts the
/// transaction that carries other callers' commits.
final class CommitCombiner: Sendable {
    typealias Results = [Result<CommitReceipt, ReactorError>]

    private struct Waiter {
        var commits: [PreparedCommit]
        var continuation: CheckedContinuation<Results, Never>
    }

    private struct State {
        var pending: [Waiter] = []
        var drainScheduled = false
        var closed = false
        var transactions = 0
    }

    /// The most commits one transaction carries (a single caller's commits are never split).
    static let maxBatch = 512

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Stores `commits` (in one of the next transactions) and returns their results, in order.
    func submit(_ commits: [PreparedCommit]) async -> Results {
        guard !commits.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let accepted = state.withLock { s -> Bool in
                guard !s.closed else { return false }
                s.pending.append(Waiter(commits: commits, continuation: continuation))
                if !s.drainScheduled {
                    s.drainScheduled = true
                    // Scheduled under the lock so that ``close()`` can never slip between enqueueing and scheduling.
                    scheduleDrain()
                }
                return true
            }
            if !accepted {
                let error = ReactorError(.storage, "the SQLite store is closed")
                continuation.resume(returning: commits.map { _ in .failure(error) })
            }
        }
    }

    /// Refuses further commits. Commits already accepted are written by drains queued on the writer before the
    /// connection closes; any still pending after the close fail with `STORAGE_ERROR`.
    func close() {
        state.withLock { $0.closed = true }
    }

    /// How many write transactions the combiner has run (for tests and diagnostics).
    var transactionCount: Int { state.withLock { $0.transactions } }

    private func scheduleDrain() {
        pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
    }

    /// Runs on the writer queue: writes one batch and resumes its waiters.
    private func drain(_ db: Database) {
        let batch = state.withLock { s -> [Waiter] in
            var count = 0
            var taken = 0
            while taken < s.pending.count, taken == 0 || count + s.pending[taken].commits.count <= Self.maxBatch {
                count += s.pending[taken].commits.count
                taken += 1
            }
            let batch = Array(s.pending.prefix(taken))
            s.pending.removeFirst(taken)
            if taken > 0 { s.transactions += 1 }
            if s.pending.isEmpty {
                s.drainScheduled = false
            } else {
                scheduleDrain()
            }
            return batch
        }
        guard !batch.isEmpty else { return }
        let results = CommitWriter.write(batch.flatMap(\.commits), in: db)
        var offset = 0
        for waiter in batch {
            let n = waiter.commits.count
            waiter.continuation.resume(returning: Array(results[offset..<offset + n]))
            offset += n
        }
    }
}
