import ReactorCore

/// Sync's limits and timings (`[sync]` in `Reactor.toml`).
public struct SyncConfig: Sendable, Hashable {
    /// The most operations one envelope or page carries (a job is never split, so one job may exceed it)
    /// (`sync.page_size`).
    public var pageSize: Int
    /// The most local operations one merge may move before the document is quarantined with `MERGE_TOO_LARGE`
    /// (`sync.max_reshuffle`).
    public var maxReshuffle: Int
    /// How long operations for a document whose creation has not arrived wait for it before they are dead-lettered as
    /// missing operations (`sync.creation_wait_seconds`).
    public var creationWait: Duration
    /// How long a peer holds a pull that finds nothing new before answering (`sync.long_poll_seconds`).
    public var longPoll: Duration
    /// The first retry delay after a transient failure; doubled per failure up to ``maxBackoff``, with jitter
    /// (`sync.retry_base_ms`).
    public var retryBase: Duration
    /// The longest retry delay (`sync.retry_max_seconds`).
    public var maxBackoff: Duration
    /// How long one request to a peer may take (`sync.request_timeout_seconds`).
    public var requestTimeout: Duration
    /// About the most bytes of operations one page or envelope carries (a job is never split, so one job may exceed
    /// it); keep it under the peers' `sync.max_envelope_bytes` (`sync.max_page_bytes`).
    public var maxPageBytes: Int

    public init(
        pageSize: Int = 500, maxReshuffle: Int = 1_000, creationWait: Duration = .seconds(30), longPoll: Duration = .seconds(25),
        retryBase: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(30), requestTimeout: Duration = .seconds(60),
        maxPageBytes: Int = 8 << 20
    ) {
        self.maxPageBytes = max(1_024, maxPageBytes)
        self.pageSize = max(1, pageSize)
        self.maxReshuffle = max(0, maxReshuffle)
        self.creationWait = creationWait
        self.longPoll = longPoll
        self.retryBase = retryBase
        self.maxBackoff = maxBackoff
        self.requestTimeout = requestTimeout
    }
}
