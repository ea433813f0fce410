import Logging
import ReactorCore

/// Several nodes on one store: recording job ends in the ``JobLedger``, heartbeats and take-over, and following
/// what other nodes write.
extension Reactor {
    /// The consistency token `commit` produces when it is stored.
    static func token(for commit: Commit) -> ConsistencyToken {
        ConsistencyToken(coordinates: commit.appends.flatMap { append in
            append.operations.map {
                .init(documentID: append.stream.documentID, scope: append.stream.scope, branch: append.stream.branch, operationIndex: $0.index)
            }
        })
    }

    /// Records the end of a job that did not commit through a fence. A job left unfinished in the ledger would hold
    /// back its document's later jobs on every node, so an end that cannot be recorded now is kept and recorded with
    /// the next heartbeats (and before the node leaves), until the ledger takes it.
    func recordEnd(_ job: Job, _ info: JobInfo) async {
        guard let ledger else { return }
        for attempt in 0..<3 {
            do {
                try await ledger.finish(job, info: info)
                // Jobs of other nodes may wait for this one.
                commitNotices?.commitStored()
                return
            } catch {
                logger.warning("cannot record the end of a job in the cluster ledger", metadata: [
                    "jobId": "\(job.id)", "attempt": "\(attempt + 1)", "error": "\(error)",
                ])
                try? await Task.sleep(for: .milliseconds(50 << attempt))
            }
        }
        unrecordedEnds.withLock { $0[job.id] = UnrecordedEnd(job: job, info: info) }
        logger.error("the end of a job is kept to be recorded with the next heartbeats", metadata: ["jobId": "\(job.id)"])
    }

    /// Records the job ends that could not be recorded before, oldest first; stops at the first failure. Returns
    /// whether none is left.
    @discardableResult
    func recordKeptEnds(_ ledger: any JobLedger) async -> Bool {
        let kept = unrecordedEnds.withLock { $0.values.sorted { $0.info.createdAt < $1.info.createdAt } }
        for end in kept {
            do {
                try await ledger.finish(end.job, info: end.info)
                unrecordedEnds.withLock { _ = $0.removeValue(forKey: end.job.id) }
            } catch {
                return false
            }
        }
        return true
    }

    /// Heartbeats until cancelled; runs the jobs handed over from nodes that stopped.
    func heartbeatLoop(_ ledger: any JobLedger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: ledger.heartbeatInterval)
            if Task.isCancelled { return }
            await recordKeptEnds(ledger)
            do {
                let taken = try await ledger.heartbeat(takeOver: !isShutdown)
                if !taken.isEmpty { await adopt(taken) }
            } catch {
                logger.warning("cluster heartbeat failed", metadata: ["node": "\(ledger.nodeID)", "error": "\(error)"])
            }
        }
    }

    /// Queues jobs taken over from a stopped node. They run from their own queue, so that a local job of the same
    /// document that waits for its turn (behind them) never blocks them.
    func adopt(_ taken: [TakenOverJob]) async {
        jobTracker.register(taken.map { JobInfo(id: $0.job.id, documentID: $0.job.documentID, createdAt: $0.job.createdAt) })
        var runnable: [Job] = []
        for t in taken {
            logger.notice("took over a job from a stopped node", metadata: [
                "jobId": "\(t.job.id)", "documentId": "\(t.job.documentID)", "previousOwner": "\(t.previousOwner)",
            ])
            guard let dependency = t.failedDependency else {
                runnable.append(t.job)
                continue
            }
            let error = ReactorError(.dependencyFailed, "job '\(t.job.id)' did not run: its dependency '\(dependency)' failed",
                                     details: ["jobId": t.job.id, "dependencyId": dependency])
            if let info = jobTracker.update(t.job.id, { $0.status = .failed; $0.error = error }) {
                await recordEnd(t.job, info)
                await eventBus.emit(.jobFailed(info, error))
            }
        }
        for job in runnable {
            if let info = jobTracker.info(job.id) { await eventBus.emit(.jobPending(info)) }
        }
        do {
            try takenOverQueue.enqueue(runnable)
        } catch {
            // Shutting down: the jobs stay recorded as this node's, and another node takes them over once it left.
            logger.notice("not running taken-over jobs: shutting down", metadata: ["jobs": "\(runnable.count)"])
        }
    }

    /// Reads the store's operation feed for what other nodes write: their documents leave the write cache, the read
    /// side learns their positions, subscriptions receive the changes and the processors' watermark moves on. Between
    /// reads it waits for a commit notice of another node (with ``CommitNotices``), else polls. Runs until cancelled.
    func followCluster(from start: Int64) async {
        var cursor = start
        var failures = 0
        while !Task.isCancelled {
            do {
                let before = cursor
                let page = try await store.operations(afterOrdinal: cursor, limit: clusterConfig.followBatchSize)
                // A commit of this node in the page began before the read returned, but its ordinals may not be
                // known yet: wait for every commit begun so far before telling this node's operations from others'.
                let ticket = localCommits.lastTicket
                failures = 0
                guard let last = page.last else {
                    await waitForOtherNodes()
                    continue
                }
                await localCommits.waitForCommits(through: ticket)
                let remote = localCommits.remote(page, after: before)
                if !remote.isEmpty { await applyRemote(remote) }
                watermark.start(at: last.ordinal)
                subscriptions.followed(through: last.ordinal)
                cursor = last.ordinal
                if page.count < clusterConfig.followBatchSize { await waitForOtherNodes() }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("cannot read the operation feed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: clusterConfig.followInterval * min(failures, 20))
            }
        }
    }

    /// Until another node's commit notice (at most ``ClusterConfig/notifiedFollowInterval``), or for
    /// ``ClusterConfig/followInterval`` without notices.
    private func waitForOtherNodes() async {
        if let commitNotices {
            await commitNotices.wakeup.wait(timeout: clusterConfig.notifiedFollowInterval)
        } else {
            try? await Task.sleep(for: clusterConfig.followInterval)
        }
    }

    private struct DocumentKey: Hashable {
        var documentID: String
        var branch: String
    }

    /// Applies operations written by other nodes (in ordinal order).
    func applyRemote(_ records: [OperationRecord]) async {
        let keys = Set(records.map { DocumentKey(documentID: $0.stream.documentID, branch: $0.stream.branch) })
        for key in keys { writeCache.invalidate(key.documentID, branch: key.branch) }
        // Another node's change of a document scope shows on every branch of that document.
        for record in records where record.stream.scope == Scope.document { writeCache.invalidate(record.stream.documentID) }
        if records.contains(where: { $0.stream.scope == Scope.document }) { identifiers.invalidateAll() }
        access.invalidate(records)
        // Read models index every node's operations (in ordinal order) before reads with their tokens return here.
        await readModels.index(records)
        consistency.markIndexed(records)
        // Published before the follower's position passes them (see `SubscriptionManager`), one change per run of
        // consecutive operations of one document (one job's, or consecutive jobs'): so changes never interleave in
        // ordinal order, and a change's position is a safe resume point.
        for run in Self.runs(records) {
            let key = DocumentKey(documentID: run[0].stream.documentID, branch: run[0].stream.branch)
            do {
                try await subscriptions.publish(records: run) {
                    try await self.loader.snapshot(key.documentID, branch: key.branch)?.document
                }
            } catch {
                logger.warning("cannot load a document another node changed; subscriptions resume from the store",
                               metadata: ["documentId": "\(key.documentID)", "error": "\(error)"])
                subscriptions.interruptAll(through: records.last?.ordinal ?? 0)
            }
        }
    }

    /// `records` cut into runs of consecutive operations of one document and branch.
    static func runs(_ records: [OperationRecord]) -> [[OperationRecord]] {
        var runs: [[OperationRecord]] = []
        for record in records {
            if let previous = runs.last?.last, previous.stream.documentID == record.stream.documentID,
               previous.stream.branch == record.stream.branch {
                runs[runs.count - 1].append(record)
            } else {
                runs.append([record])
            }
        }
        return runs
    }

    // MARK: Jobs of any node

    /// A job's current info: this node's record, else (in a cluster) the ledger's. Throws `JOB_NOT_FOUND`.
    public func jobInfo(_ jobID: String) async throws -> JobInfo {
        if let info = jobTracker.info(jobID) { return info }
        if let ledger, let info = try await ledger.info(of: jobID) { return info }
        throw ReactorError(.jobNotFound, "no job '\(jobID)'", details: ["jobId": jobID])
    }

    /// Waits until the job is `READ_READY` or failed, or `timeout` passes, and returns its info then (a failed job's
    /// error is in the info). Jobs of other nodes are polled in the ledger.
    public func waitForJobInfo(_ jobID: String, timeout: Duration) async throws -> JobInfo {
        if jobTracker.info(jobID) != nil { return try await jobTracker.wait(for: jobID, until: .readReady, timeout: timeout) }
        var info = try await jobInfo(jobID)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !info.status.isTerminal && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            info = try await jobInfo(jobID)
        }
        return info
    }
}

/// A job's end that the ledger has not recorded yet.
struct UnrecordedEnd: Sendable {
    var job: Job
    var info: JobInfo
}
