import ReactorCore

/// Group commit for ``PostgresStore/commit(_:)``: a ``GroupCommitter`` drained by the store's writer loop.
///
/// ``run(_:)`` (a child task of ``PostgresStore/run()``) waits for the committer to ask for a drain, then writes
/// everything pending (up to ``maxBatch`` commits) in one transaction. Because the write runs in the store's own
/// task, cancelling one caller never aborts a transaction that carries other callers' commits.
final class CommitQueue: Sendable {
    typealias Results = [Result<CommitReceipt, ReactorError>]

    /// The most commits one transaction carries (a single caller's commits are never split).
    static let maxBatch = 512

    private let committer: GroupCommitter<PreparedCommit, CommitReceipt>
    private let drainsDue: AsyncStream<Void>

    init() {
        // One drain is due at a time: the committer asks for the next one only from inside a drain.
        let (drainsDue, drainDue) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.drainsDue = drainsDue
        committer = GroupCommitter(maxBatch: Self.maxBatch) { _ in drainDue.yield() }
    }

    /// Stores `commits` in one of the next transactions and returns their results, in order.
    func submit(_ commits: [PreparedCommit]) async -> Results {
        await committer.submit(commits)
    }

    /// Refuses further commits with `STORAGE_ERROR`; those already accepted are still written while the loop runs.
    func close() {
        committer.close(refusing: ReactorError(.storage, "the PostgreSQL store is closed"))
    }

    /// How many write transactions the loop has run (for tests and diagnostics).
    var transactionCount: Int { committer.batchCount }

    /// The writer loop: writes batches with `write` until the calling task is cancelled, then fails whatever is
    /// still pending, and every later commit (transient `STORAGE_ERROR`: the store stopped). Call at most once.
    func run(_ write: ([PreparedCommit]) async -> Results) async {
        for await _ in drainsDue { await committer.drain(write) }
        committer.stop(failing: ReactorError(.storage, "the PostgreSQL store is not running (its run() ended)", isTransient: true))
    }
}
