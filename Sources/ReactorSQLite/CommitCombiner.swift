import GRDB
import ReactorCore

/// Group commit for ``SQLiteStore/commit(_:)``: a ``GroupCommitter`` whose drains run on GRDB's serial writer queue.
///
/// The first caller to find no drain scheduled queues one on the writer; the drain writes everything pending (up to
/// ``maxBatch`` commits) in one transaction with a savepoint per commit (``CommitWriter``). Because the write runs on
/// the writer queue, not in the caller's task, cancelling one caller never aborts the transaction that carries other
/// callers' commits.
final class CommitCombiner: Sendable {
    typealias Results = [Result<CommitReceipt, ReactorError>]

    /// The most commits one transaction carries (a single caller's commits are never split).
    static let maxBatch = 512

    private let committer: GroupCommitter<PreparedCommit, CommitReceipt>
    /// The writer's knowledge of the stored headers (used only on the writer queue).
    let ledger = HeaderLedger()

    init(pool: DatabasePool) {
        let ledger = self.ledger
        committer = GroupCommitter(maxBatch: Self.maxBatch) { committer in
            pool.asyncWriteWithoutTransaction { db in committer.drain { CommitWriter.write($0, in: db, ledger: ledger) } }
        }
    }

    /// Stores `commits` (in one of the next transactions) and returns their results, in order.
    func submit(_ commits: [PreparedCommit]) async -> Results {
        await committer.submit(commits)
    }

    /// Refuses further commits. Commits already accepted are written by drains queued on the writer before the
    /// connection closes; a drain that runs after the close fails its commits with `STORAGE_ERROR`.
    func close() {
        committer.close(refusing: ReactorError(.storage, "the SQLite store is closed"))
    }

    /// How many write transactions the combiner has run (for tests and diagnostics).
    var transactionCount: Int { committer.batchCount }
}
