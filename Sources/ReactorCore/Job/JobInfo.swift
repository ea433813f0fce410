/// A job's public record: returned at once by every write, and queryable by id.
public struct JobInfo: Sendable, Hashable, Codable {
    public var id: String
    public var documentID: String
    public var status: JobStatus
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The coordinates the job wrote, once `writeReady`.
    public var consistencyToken: ConsistencyToken?
    /// Why the job failed, when `failed`.
    public var error: ReactorError?
    /// How many times the job was retried after a transient error.
    public var attempts: Int

    public init(
        id: String, documentID: String, status: JobStatus = .pending, createdAt: Int64, updatedAt: Int64? = nil,
        consistencyToken: ConsistencyToken? = nil, error: ReactorError? = nil, attempts: Int = 0
    ) {
        self.id = id
        self.documentID = documentID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.consistencyToken = consistencyToken
        self.error = error
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey {
        case id, status, createdAt, updatedAt, consistencyToken, error, attempts
        case documentID = "documentId"
    }
}
