import ReactorCore
import Synchronization

/// Counts the pending work (jobs accepted and not finished) against ``AdmissionLimits``: ``admit(_:)`` charges a
/// whole submission or refuses it whole, ``release(_:)`` gives a job's share back when it ends.
final class AdmissionControl: Sendable {
    private struct Charge {
        var documentID: String
        var bytes: Int
    }
    private struct State {
        var total = PendingWork()
        var documents: [String: PendingWork] = [:]
        var charges: [String: Charge] = [:]
    }
    private let state = Mutex(State())
    let limits: AdmissionLimits

    init(limits: AdmissionLimits) {
        self.limits = limits
    }

    /// Charges `jobs` (each at its ``Job/payloadSize``, computed here once), or throws `TOO_MANY_PENDING_JOBS`,
    /// `OVERLOADED` or `PAYLOAD_TOO_LARGE` and charges nothing.
    func admit(_ jobs: [Job]) throws {
        var batch = PendingWork()
        var perDocument: [String: PendingWork] = [:]
        var charges: [(id: String, charge: Charge)] = []
        charges.reserveCapacity(jobs.count)
        for job in jobs {
            let bytes = job.payloadSize
            batch.jobs += 1
            batch.bytes += bytes
            perDocument[job.documentID, default: PendingWork()].jobs += 1
            perDocument[job.documentID, default: PendingWork()].bytes += bytes
            charges.append((job.id, Charge(documentID: job.documentID, bytes: bytes)))
        }
        // Documents in a fixed order, so that a refusal names the same document every time.
        let documents = perDocument.sorted { $0.key < $1.key }
        for (documentID, work) in documents { try checkFits(work, documentID: documentID) }
        try checkFits(batch, documentID: nil)
        try state.withLock { s in
            for (documentID, work) in documents {
                try checkRoom(for: work, pending: s.documents[documentID] ?? PendingWork(), documentID: documentID)
            }
            try checkRoom(for: batch, pending: s.total, documentID: nil)
            s.total.jobs += batch.jobs
            s.total.bytes += batch.bytes
            for (documentID, work) in documents {
                s.documents[documentID, default: PendingWork()].jobs += work.jobs
                s.documents[documentID, default: PendingWork()].bytes += work.bytes
            }
            for (id, charge) in charges { s.charges[id] = charge }
        }
    }

    /// Gives back what the job holds (nothing when it holds nothing: a job taken over from another node, or one
    /// already released).
    func release(_ jobID: String) {
        state.withLock { s in
            guard let charge = s.charges.removeValue(forKey: jobID) else { return }
            s.total.jobs -= 1
            s.total.bytes -= charge.bytes
            guard var work = s.documents[charge.documentID] else { return }
            work.jobs -= 1
            work.bytes -= charge.bytes
            s.documents[charge.documentID] = work.jobs > 0 ? work : nil
        }
    }

    /// Pending work in total.
    var pending: PendingWork { state.withLock { $0.total } }

    /// Pending work of one document.
    func pending(of documentID: String) -> PendingWork {
        state.withLock { $0.documents[documentID] ?? PendingWork() }
    }

    /// A submission larger than a limit on its own can never be admitted: refused as too large, not "retry later".
    private func checkFits(_ work: PendingWork, documentID: String?) throws {
        let (maxJobs, maxBytes) = documentID == nil
            ? (limits.maxPendingJobs, limits.maxPendingBytes)
            : (limits.maxPendingJobsPerDocument, limits.maxPendingBytesPerDocument)
        let scope = documentID.map { "for document '\($0)'" } ?? "in total"
        var details = documentID.map { ["documentId": $0] } ?? [:]
        if work.jobs > maxJobs {
            details["size"] = "\(work.jobs)"
            details["limit"] = "\(maxJobs)"
            throw ReactorError(.payloadTooLarge, "the submission has \(work.jobs) jobs \(scope); at most \(maxJobs) may be pending",
                               details: details)
        }
        if work.bytes > maxBytes {
            details["size"] = "\(work.bytes)"
            details["limit"] = "\(maxBytes)"
            throw ReactorError(.payloadTooLarge, "the submission has \(work.bytes) bytes of jobs \(scope); at most \(maxBytes) may be pending",
                               details: details)
        }
    }

    private func checkRoom(for work: PendingWork, pending: PendingWork, documentID: String?) throws {
        if let documentID {
            let retry = limits.documentRetryAfterSeconds
            func refuse(_ resource: String, _ pending: Int, _ limit: Int) -> ReactorError {
                let what = resource == "jobs" ? "\(pending) pending jobs" : "\(pending) bytes of pending jobs"
                return ReactorError(.tooManyPendingJobs, "document '\(documentID)' has \(what) (at most \(limit)): retry in \(retry) s",
                                    details: ["documentId": documentID, "resource": resource, "pending": "\(pending)",
                                              "limit": "\(limit)", "retryAfterSeconds": "\(retry)"],
                                    isTransient: true)
            }
            if pending.jobs + work.jobs > limits.maxPendingJobsPerDocument {
                throw refuse("jobs", pending.jobs, limits.maxPendingJobsPerDocument)
            }
            if pending.bytes + work.bytes > limits.maxPendingBytesPerDocument {
                throw refuse("bytes", pending.bytes, limits.maxPendingBytesPerDocument)
            }
        } else {
            let retry = limits.overloadRetryAfterSeconds
            let resource = pending.jobs + work.jobs > limits.maxPendingJobs ? "jobs"
                : pending.bytes + work.bytes > limits.maxPendingBytes ? "bytes" : nil
            if let resource {
                throw ReactorError(.overloaded, "the server has too much pending work: retry in \(retry) s",
                                   details: ["resource": resource, "pending": "\(resource == "jobs" ? pending.jobs : pending.bytes)",
                                             "limit": "\(resource == "jobs" ? limits.maxPendingJobs : limits.maxPendingBytes)",
                                             "retryAfterSeconds": "\(retry)"], isTransient: true)
            }
        }
    }
}
