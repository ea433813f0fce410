/// Where a job is in its life.
///
/// `pending` → `running` → `writeReady` (operations durably stored) → `readReady` (read models indexed them), or
/// `failed` from any state before `readReady`.
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case writeReady = "WRITE_READY"
    case readReady = "READ_READY"
    case failed = "FAILED"

    /// Whether the job will not change status again.
    public var isTerminal: Bool { self == .readReady || self == .failed }
}
