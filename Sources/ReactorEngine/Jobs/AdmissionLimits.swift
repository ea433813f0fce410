/// How much pending work (jobs accepted and not finished yet) the reactor admits: per document and in total, counted
/// in jobs and in bytes (each job's ``Job/payloadSize``, computed once when it is submitted).
///
/// A submission (one job, or a whole batch) is admitted whole or refused whole, before anything of it exists: no
/// `JobInfo`, no event, no ledger record. Beyond a document's limit it is refused with `TOO_MANY_PENDING_JOBS`
/// (HTTP 429), beyond the total with `OVERLOADED` (HTTP 503), both with a retry hint in seconds
/// (`details.retryAfterSeconds`, the HTTP `Retry-After` header). A submission that could never fit (more jobs or
/// bytes for one document than the per-document limit, or than the total) is refused with `PAYLOAD_TOO_LARGE`.
/// The budget a job holds is given back when it ends, however it ends (done, failed, timed out, failed at the
/// shutdown's drain deadline).
public struct AdmissionLimits: Sendable, Hashable {
    /// Pending jobs across all documents.
    public var maxPendingJobs: Int
    /// Pending jobs' payload bytes across all documents.
    public var maxPendingBytes: Int
    /// Pending jobs of one document.
    public var maxPendingJobsPerDocument: Int
    /// Pending jobs' payload bytes of one document.
    public var maxPendingBytesPerDocument: Int
    /// The retry hint of a `TOO_MANY_PENDING_JOBS` refusal, in seconds.
    public var documentRetryAfterSeconds: Int
    /// The retry hint of an `OVERLOADED` refusal, in seconds.
    public var overloadRetryAfterSeconds: Int

    /// The defaults bound a flood of large jobs to a few hundred megabytes of memory (see `docs/operations.md`,
    /// "Write admission"): 10,000 jobs and 128 MiB in total, 1,000 jobs and 32 MiB per document.
    public init(
        maxPendingJobs: Int = 10_000, maxPendingBytes: Int = 128 << 20,
        maxPendingJobsPerDocument: Int = 1_000, maxPendingBytesPerDocument: Int = 32 << 20,
        documentRetryAfterSeconds: Int = 1, overloadRetryAfterSeconds: Int = 5
    ) {
        self.maxPendingJobs = max(1, maxPendingJobs)
        self.maxPendingBytes = max(1, maxPendingBytes)
        self.maxPendingJobsPerDocument = max(1, maxPendingJobsPerDocument)
        self.maxPendingBytesPerDocument = max(1, maxPendingBytesPerDocument)
        self.documentRetryAfterSeconds = max(1, documentRetryAfterSeconds)
        self.overloadRetryAfterSeconds = max(1, overloadRetryAfterSeconds)
    }

    /// No limit worth the name (for tools that queue everything up front, such as benchmarks).
    public static let unlimited = AdmissionLimits(maxPendingJobs: .max, maxPendingBytes: .max,
                                                  maxPendingJobsPerDocument: .max, maxPendingBytesPerDocument: .max)
}
