import ReactorCore

/// What the queue hands the executor next.
public enum QueuedWork: Sendable {
    /// Run this job.
    case run(Job)
    /// This job cannot run: a job it depends on failed.
    case dependencyFailed(Job, dependencyID: String)
}

/// Orders jobs for the executor: first in, first out per document, one holder at a time per document, jobs with
/// unfinished dependencies held back.
public protocol JobQueue: Sendable {
    /// Adds jobs atomically, in order. Dependencies must name jobs enqueued before or in the same call.
    func enqueue(_ jobs: [Job]) throws
    /// The next runnable work; suspends until there is some. Returns nil once closed and drained.
    func dequeue() async -> QueuedWork?
    /// The next runnable work if there is some now, without waiting.
    func dequeueNow() -> QueuedWork?
    /// While the caller holds `documentID` (it was handed one of its jobs and has not completed it), hands out the
    /// document's next queued job when it is on `branch`, carries actions and can run now (its dependencies settled,
    /// none failed); nil otherwise. The document stays held until every job handed out for it is completed: this is
    /// how the executor commits several queued jobs of one document together (``ExecutorConfig/maxJobsPerCommit``).
    func dequeueFollowing(_ documentID: String, branch: String) -> Job?
    /// Reports that a job finished, settling its dependents; the document is released when the last job handed out
    /// for it is completed.
    func complete(_ job: Job, succeeded: Bool)
    /// Refuses further enqueues; ``dequeue()`` returns nil once every queued job was handed out.
    func close()
    /// Jobs queued and not yet handed out.
    var pendingCount: Int { get }
}

extension JobQueue {
    /// A queue that hands out one job of a document at a time never has a following job.
    public func dequeueFollowing(_ documentID: String, branch: String) -> Job? { nil }
}
