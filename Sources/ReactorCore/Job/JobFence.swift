/// Ties a ``Commit`` to the recorded job it completes, so that a job shared through a ``JobLedger`` is written at
/// most once and in its document's order.
///
/// A store that holds the ledger's records writes the commit only if, in the same transaction, the job is still
/// unfinished, still owned by `nodeID`, and no earlier job of the same document is unfinished; it then marks the job
/// written with `token`. Otherwise the whole commit fails: with `JOB_TAKEN_OVER` (permanent) when another node owns
/// the job or it already finished, with `DOCUMENT_BUSY` (transient) when an earlier job of the document must finish
/// first.
public struct JobFence: Sendable, Hashable {
    /// The job's id.
    public var jobID: String
    /// The node that runs it.
    public var nodeID: String
    /// The consistency token to record with the job.
    public var token: ConsistencyToken

    public init(jobID: String, nodeID: String, token: ConsistencyToken) {
        self.jobID = jobID
        self.nodeID = nodeID
        self.token = token
    }
}

extension ReactorError {
    /// The error of a fenced commit whose job another node owns (or that already finished).
    public static func jobTakenOver(_ jobID: String, owner: String?) -> ReactorError {
        ReactorError(
            .jobTakenOver, "job '\(jobID)' is no longer this node's: another node took it over" + (owner.map { " ('\($0)')" } ?? ""),
            details: ["jobId": jobID, "owner": owner ?? ""])
    }

    /// The error of a fenced commit that must wait for an earlier job of its document.
    public static func documentBusy(_ jobID: String, documentID: String) -> ReactorError {
        ReactorError(
            .documentBusy, "an earlier job of document '\(documentID)' has not finished yet; job '\(jobID)' waits for its turn",
            details: ["jobId": jobID, "documentId": documentID], isTransient: true)
    }
}
