import ReactorCore

/// What the queue hands the executor next.
public enum QueuedWork: Sendable {
    /// Run this job.
    case run(Job)
    /// This job cannot run: a job it depends on failed.
    case dependencyFailed(Job, dependencyID: String)
}

/// Orders jobs for the executor: first in, first out per document, one job at a time per document, jobs with
/// unfinished dependencies held back.
public protocol JobQueue: Sendable {
    /// Adds jobs atomically, in order. Dependencies must name jobs enqueued before or in the same call.
    func enqueue(_ jobs: [Job]) throws
    /// The next runnable work; suspends until there is some. Returns nil once closed and drained.
    func dequeue() async -> QueuedWork?
    /// The next runnable work if there is some now, without waiting.
    func dequeueNow() -> QueuedWork?
    /// Reports that a job finished, releasing its document and settling its dependents.
    func complete(_ job: Job, succeeded: Bool)
    /// Refuses further enqueues; ``dequeue()`` returns nil once every queued job was handed out.
    func close()
    /// Jobs queued and not yet handed out.
    var pendingCount: Int { get }
}
