import PostgresNIO
import ReactorCore

/// The job fence (see ``JobFence``): inside the write transaction, a commit that completes a recorded job marks the
/// job `WRITE_READY` only if the job is still pending, still owned by the committing node, and no earlier job of its
/// document is pending. The fast path folds the fence into its one statement (see `PostgresCommitWriter+FastPath`);
/// this is the step-by-step path's. Fences of two transactions on one document cannot both hold: a fence sees the
/// earlier job as pending until the transaction that finishes it has committed (and a job's update waits for a
/// concurrent update of the same job row).
extension PostgresCommitWriter {
    /// Fences every commit of `batch` (each must carry a job) in one statement; returns how many held.
    func fenceAll(_ batch: [PreparedCommit], on connection: PostgresConnection) async throws -> Int {
        let t = tables
        let now = Clock.nowMilliseconds()
        let ids = batch.map { $0.commit.job!.jobID }
        let nodes = batch.map { $0.commit.job!.nodeID }
        let tokens = batch.map(\.fenceTokenJSON)
        let rows = try await connection.query("""
            UPDATE \(unescaped: t.jobs) j SET status = 'WRITE_READY', consistency_token = u.tok, updated_at = \(now)
            FROM unnest(\(ids)::text[], \(nodes)::text[], \(tokens)::text[]) AS u(id, node, tok)
            WHERE j.id = u.id AND j.claimed_by = u.node AND j.status = 'PENDING'
                AND NOT EXISTS (SELECT 1 FROM \(unescaped: t.jobs) e
                                WHERE e.document_id = j.document_id AND e.status = 'PENDING' AND e.seq < j.seq)
            RETURNING j.id
            """, logger: logger).collect()
        return rows.count
    }

    /// Fences one commit (nothing to do without a job); throws `JOB_TAKEN_OVER`, `DOCUMENT_BUSY` or `JOB_NOT_FOUND`
    /// when the fence does not hold.
    func fence(_ prepared: PreparedCommit, on connection: PostgresConnection) async throws {
        guard let job = prepared.commit.job else { return }
        if try await fenceAll([prepared], on: connection) == 1 { return }
        let t = tables
        let found = try await connection.query("""
            SELECT j.status, j.claimed_by, j.document_id,
                EXISTS (SELECT 1 FROM \(unescaped: t.jobs) e
                        WHERE e.document_id = j.document_id AND e.status = 'PENDING' AND e.seq < j.seq)
            FROM \(unescaped: t.jobs) j WHERE j.id = \(job.jobID)
            """, logger: logger).collect()
        guard let row = found.first else {
            throw ReactorError(.jobNotFound, "job '\(job.jobID)' is not recorded in the job ledger", details: ["jobId": job.jobID])
        }
        let (status, owner, documentID, blocked) = try row.decode((String, String?, String, Bool).self)
        if status != JobStatus.pending.rawValue || owner != job.nodeID {
            var error = ReactorError.jobTakenOver(job.jobID, owner: owner)
            error.details["status"] = status
            error.details["node"] = job.nodeID
            throw error
        }
        if blocked { throw ReactorError.documentBusy(job.jobID, documentID: documentID) }
        throw ReactorError(.internal, "the fence of job '\(job.jobID)' did not hold for an unknown reason", details: ["jobId": job.jobID])
    }
}
