/// Jobs and payload bytes of pending work (accepted, not finished).
public struct PendingWork: Sendable, Hashable {
    /// How many jobs.
    public var jobs: Int
    /// Their payload bytes (``Job/payloadSize``).
    public var bytes: Int

    /// Pending work of `jobs` jobs and `bytes` bytes.
    public init(jobs: Int = 0, bytes: Int = 0) {
        self.jobs = jobs
        self.bytes = bytes
    }
}
