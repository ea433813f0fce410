import DequeModule
import ReactorCore
import Synchronization

/// Tracks every job's ``JobInfo`` from `PENDING` to `READ_READY` or `FAILED`, and lets callers wait for a status.
///
/// Finished jobs are kept for lookup up to ``retainedFinishedJobs``, oldest forgotten first.
public final class JobTracker: Sendable {
    private struct State {
        var jobs: [String: JobInfo] = [:]
        var finishedOrder: Deque<String> = []
    }

    private let state = Mutex(State())
    private let waiters = Waiters()
    /// How many finished jobs stay queryable.
    public let retainedFinishedJobs: Int

    public init(retainedFinishedJobs: Int = 100_000) {
        self.retainedFinishedJobs = retainedFinishedJobs
    }

    /// Registers new jobs as `PENDING`.
    func register(_ infos: [JobInfo]) {
        state.withLock { s in for info in infos { s.jobs[info.id] = info } }
    }

    /// Applies `change` to a job's info and returns the result (nil when the job is unknown or already terminal).
    @discardableResult
    func update(_ id: String, _ change: (inout JobInfo) -> Void) -> JobInfo? {
        let updated: JobInfo? = state.withLock { s in
            guard var info = s.jobs[id], !info.status.isTerminal else { return nil }
            change(&info)
            info.updatedAt = Clock.nowMilliseconds()
            s.jobs[id] = info
            if info.status.isTerminal {
                s.finishedOrder.append(id)
                while s.finishedOrder.count > retainedFinishedJobs, let old = s.finishedOrder.popFirst() {
                    s.jobs[old] = nil
                }
            }
            return info
        }
        if updated != nil { waiters.notify(id) }
        return updated
    }

    /// The current info of a job.
    public func info(_ id: String) -> JobInfo? {
        state.withLock { $0.jobs[id] }
    }

    /// The most recently created jobs this node tracks (newest first), at most `limit`, only those with one of
    /// `statuses` when given: what the console's jobs page and `GET /_admin/jobs` list.
    public func recent(limit: Int, statuses: Set<JobStatus>? = nil) -> [JobInfo] {
        let matching = state.withLock { s in s.jobs.values.filter { statuses?.contains($0.status) ?? true } }
        return Array(matching.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(max(0, limit)))
    }

    /// How many jobs currently have one of `statuses`.
    public func count(where statuses: Set<JobStatus>) -> Int {
        state.withLock { s in s.jobs.values.reduce(0) { $0 + (statuses.contains($1.status) ? 1 : 0) } }
    }

    /// Waits until the job is terminal (or has `status`), or `timeout` passes; returns the info then.
    public func wait(for id: String, until status: JobStatus = .readReady, timeout: Duration = .seconds(30)) async throws -> JobInfo {
        guard info(id) != nil else { throw ReactorError(.jobNotFound, "no job '\(id)'", details: ["jobId": id]) }
        let reached: @Sendable () -> Bool = { [self] in
            self.state.withLock { s in
                guard let info = s.jobs[id] else { return true }
                return info.status.isTerminal || Self.rank(info.status) >= Self.rank(status)
            }
        }
        _ = try await waiters.wait(key: id, timeout: timeout, until: reached)
        guard let info = info(id) else { throw ReactorError(.jobNotFound, "job '\(id)' is no longer tracked", details: ["jobId": id]) }
        return info
    }

    private static func rank(_ status: JobStatus) -> Int {
        switch status {
        case .pending: 0
        case .running: 1
        case .writeReady: 2
        case .readReady, .failed: 3
        }
    }
}
