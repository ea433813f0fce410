/// Settings of the job executor.
public struct ExecutorConfig: Sendable, Hashable {
    /// Jobs running at once, across documents (one per document at a time).
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

    public init(
        maxConcurrency: Int = 4, jobTimeout: Duration = .seconds(30), maxRetries: Int = 3, retryBaseDelay: Duration = .milliseconds(5),
        reducersInline: Bool = true, shutdownDrainTimeout: Duration = .seconds(30)
    ) {
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
