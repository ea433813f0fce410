import Logging
import PostgresNIO
import ReactorCore

/// A persisted job record: the job's public ``JobInfo`` and who holds it.
public struct PostgresJobRecord: Sendable, Hashable {
    /// The job as clients see it (status, error, consistency token, times, attempts).
    public var info: JobInfo
    /// The node that claimed the job, if any.
    public var claimedBy: String?
    /// Until when (ms since 1970) the claim holds; another node may take the job afterwards.
    public var claimedUntil: Int64?

    /// Creates a record.
    public init(info: JobInfo, claimedBy: String? = nil, claimedUntil: Int64? = nil) {
        self.info = info
        self.claimedBy = claimedBy
        self.claimedUntil = claimedUntil
    }
}

/// Job records in the `jobs` table of a ``PostgresStore``'s schema, so that every node sees every job.
///
/// Errors and consistency tokens are stored as canonical JSON text. Uses the store's connection pool.
public struct PostgresJobRecords: Sendable {
    private let store: PostgresStore

    /// Job records in `store`'s schema (created by ``PostgresStore/migrate()``).
    public init(store: PostgresStore) {
        self.store = store
    }

    /// Inserts the record or replaces the stored one with the same id (`createdAt` is kept from the first insert).
    public func upsert(_ record: PostgresJobRecord) async throws {
        let info = record.info
        let error = try info.error.map { try JSONValueCoder.encode($0).canonicalString }
        let token = try info.consistencyToken.map { try JSONValueCoder.encode($0).canonicalString }
        let t = store.tables
        try await store.read { c in
            _ = try await c.query("""
                INSERT INTO \(unescaped: t.jobs) (id, document_id, status, error, consistency_token, created_at, updated_at,
                    attempt, claimed_by, claimed_until)
                VALUES (\(info.id), \(info.documentID), \(info.status.rawValue), \(error), \(token), \(info.createdAt),
                    \(info.updatedAt), \(Int32(clamping: info.attempts)), \(record.claimedBy), \(record.claimedUntil))
                ON CONFLICT (id) DO UPDATE SET document_id = EXCLUDED.document_id, status = EXCLUDED.status,
                    error = EXCLUDED.error, consistency_token = EXCLUDED.consistency_token, updated_at = EXCLUDED.updated_at,
                    attempt = EXCLUDED.attempt, claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until
                """, logger: store.logger).collect()
        }
    }

    /// The record of job `id`, or nil when unknown.
    public func get(_ id: String) async throws -> PostgresJobRecord? {
        let t = store.tables
        let row = try await store.read { c in
            try await c.query("""
                SELECT id, document_id, status, error, consistency_token, created_at, updated_at, attempt, claimed_by, claimed_until
                FROM \(unescaped: t.jobs) WHERE id = \(id)
                """, logger: store.logger).collect().first
        }
        guard let row else { return nil }
        do {
            let c = try row.decode((String, String, String, String?, String?, Int64, Int64, Int32, String?, Int64?).self)
            guard let status = JobStatus(rawValue: c.2) else {
                throw ReactorError(.storage, "job '\(c.0)' has an unknown status '\(c.2)'", details: ["jobId": c.0])
            }
            let (error, token) = try StoredRecord.decode("job record") {
                (try c.3.map { try JSONValueCoder.decode(ReactorError.self, from: JSONValueCoder.parse($0)) },
                 try c.4.map { try JSONValueCoder.decode(ConsistencyToken.self, from: JSONValueCoder.parse($0)) })
            }
            let info = JobInfo(
                id: c.0, documentID: c.1, status: status, createdAt: c.5, updatedAt: c.6, consistencyToken: token, error: error,
                attempts: Int(c.7))
            return PostgresJobRecord(info: info, claimedBy: c.8, claimedUntil: c.9)
        } catch {
            throw ReactorError.postgresFailure(error)
        }
    }
}
