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

    public init(maxConcurrency: Int = 4, jobTimeout: Duration = .seconds(30), maxRetries: Int = 3, retryBaseDelay: Duration = .milliseconds(5)) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.jobTimeout = jobTimeout
        self.maxRetries = max(0, maxRetries)
        self.retryBaseDelay = retryBaseDelay
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
