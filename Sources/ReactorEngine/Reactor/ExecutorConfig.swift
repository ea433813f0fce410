/// Settings of the job executor.
public struct ExecutorConfig: Sendable, Hashable {
    /// Documents worked on at once: each by one task, one commit at a time (which may carry several of the
    /// document's queued jobs, ``maxJobsPerCommit``).
    public var maxConcurrency: Int
    /// A job running longer than this fails with `JOB_TIMEOUT` and releases its document.
    public var jobTimeout: Duration
    /// Retries of a job after a transient error (a busy database, a lost optimistic race).
    public var maxRetries: Int
    /// The first retry's delay; each further retry doubles it.
    public var retryBaseDelay: Duration
    /// Whether reducers may run on the calling thread of Swift's cooperative pool, as long as one less than the cores
    /// are doing so across the process (the fast path: no thread hop). With `false` every reducer runs on a thread of
    /// its job's own (slower, by a context switch or two per action). Either way, reducers that never return cannot
    /// take every cooperative thread, and their jobs fail with `JOB_TIMEOUT`.
    public var reducersInline: Bool
    /// How long a shutdown (graceful, or ``Reactor/kill()``) waits for the jobs accepted before it, counted from
    /// ``Reactor/startShutdownClock()`` or else from the shutdown. Jobs still queued or running then fail with
    /// `SHUTDOWN_DEADLINE` (recorded, announced, logged); a job already committing finishes its commit.
    public var shutdownDrainTimeout: Duration
    /// The most jobs of one document committed together. When a document's job is prepared and more of its jobs are
    /// queued, the executor prepares those too, each on the state the one before it leaves, and commits them all in
    /// one store transaction; each job still succeeds or fails on its own (a job whose commit fails is prepared again
    /// on what was stored and committed alone). 1 (the default) commits every job alone. Off by default until an intermittent stall seen with it on in full test runs (`AdmissionTests.aDocumentsPendingBytesAreBounded`, memory store) is understood. Not used in a cluster, where every job's
    /// commit is fenced by the job ledger.
    public var maxJobsPerCommit: Int

    public init(
        maxConcurrency: Int = 4, jobTimeout: Duration = .seconds(30), maxRetries: Int = 3, retryBaseDelay: Duration = .milliseconds(5),
        reducersInline: Bool = true, shutdownDrainTimeout: Duration = .seconds(30), maxJobsPerCommit: Int = 1
    ) {
        self.maxJobsPerCommit = max(1, maxJobsPerCommit)
        self.maxConcurrency = max(1, maxConcurrency)
        self.jobTimeout = jobTimeout
        self.maxRetries = max(0, maxRetries)
        self.retryBaseDelay = retryBaseDelay
        self.reducersInline = reducersInline
        self.shutdownDrainTimeout = max(.zero, shutdownDrainTimeout)
    }
}

/// Settings of keyframes (stream snapshots).
public struct KeyframeConfig: Sendable, Hashable {
    /// A keyframe is stored after every `interval`-th operation of a stream (0 disables periodic keyframes;
    /// undo, redo, prune and upgrade always store one).
    public var interval: Int

    public init(interval: Int = 1_000) {
        self.interval = max(0, interval)
    }
}
