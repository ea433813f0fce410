import Logging
import ReactorCore
import ServiceLifecycle
import Synchronization

/// The document reactor: accepts writes as jobs, executes them per document in order and across documents
/// concurrently, and serves reads from the write cache and the store.
///
/// Every write returns a ``JobInfo`` at once, unless the pending work is at its ``AdmissionLimits`` (then the
/// submission is refused whole with `TOO_MANY_PENDING_JOBS` or `OVERLOADED`). The jobs run while ``run()`` runs (the
/// reactor is a `Service`: put it in a `ServiceGroup`, or use ``ReactorBuilder/withReactor(_:)``). ``kill()`` stops
/// accepting work at once and completes when in-flight jobs are done, or failed with `SHUTDOWN_DEADLINE` once
/// ``ExecutorConfig/shutdownDrainTimeout`` passed.
public final class Reactor: Service, Sendable {
    public let store: any ReactorStore
    public let queue: any JobQueue
    public let eventBus: any EventBus
    public let jobTracker: JobTracker
    public let writeCache: WriteCache
    /// How ids and slugs resolved (reads by id or slug of known documents ask no store).
    public let identifiers = IdentifierCache()
    public let models: ModelResolver
    public let consistency: ConsistencyTracker
    public let readModels: ReadModelCoordinator
    public let processorManager: ProcessorManager
    public let subscriptions: SubscriptionManager
    /// Creators, grants and parents of documents, for permission checks (``AuthorizedReactor``).
    public let access: DocumentAccessIndex
    public let executorConfig: ExecutorConfig
    /// How much pending work is admitted.
    public var admissionLimits: AdmissionLimits { admission.limits }
    /// The pending work now: jobs accepted and not finished, and their payload bytes.
    public var pendingWork: PendingWork { admission.pending }
    /// The pending work of one document now.
    public func pendingWork(of documentID: String) -> PendingWork { admission.pending(of: documentID) }
    public let keyframeConfig: KeyframeConfig
    /// The limits of undo, redo and prune.
    public let historyConfig: HistoryConfig
    /// Sync's limits (merges use ``SyncConfig/maxReshuffle``).
    public let syncConfig: SyncConfig
    public let logger: Logger
    /// Signs actions submitted without an explicit signer (nil: they stay unsigned).
    public let defaultSigner: (any Signer)?
    /// Checks the signatures of every submitted action and loaded operation (``checkSignatures(_:)``).
    let verifier: any SignatureVerifier
    /// Where jobs are recorded for the other nodes of a cluster (nil: a single node).
    public let ledger: (any JobLedger)?
    /// With a ledger: how the reactor follows what other nodes write.
    public let clusterConfig: ClusterConfig
    let loader: DocumentLoader
    let runner: JobRunner
    let watermark: ReadyWatermark
    /// The pending work, against ``admissionLimits``.
    let admission: AdmissionControl
    /// Jobs taken over from nodes that stopped: queued apart from local jobs (see ``runTakenOver(_:)``).
    let takenOverQueue = InMemoryJobQueue()
    /// With a ledger: records and queues submitted jobs in one order.
    let recorder: JobRecorder?
    /// Ordinals this node committed, so that the cluster follower skips them.
    let localCommits = LocalCommits()
    /// With a ledger and a pub/sub: the commit notices that wake the followers of the cluster.
    let commitNotices: CommitNotices?

    private enum Lifecycle { case idle, running, stopping, stopped }
    private struct State {
        var lifecycle: Lifecycle = .idle
        var running: [String: (Job, JobControl, any JobQueue)] = [:]
        var nextJob: UInt64 = 0
        var executorFinished = false
        /// Submissions admitted and not yet queued (recorded in the ledger first, in a cluster).
        var admittedSubmissions = 0
        /// The shutdown waits for admitted submissions before it closes the queues (see ``admitSubmission()``).
        var closeQueuesWhenAdmittedLeave = false
        var neverStarted = false
        /// When the shutdown's drain ends (set by ``startShutdownClock()`` or the shutdown).
        var drainDeadline: ContinuousClock.Instant?
        /// The drain deadline passed: every job not finished is failed with `SHUTDOWN_DEADLINE`.
        var drainExpired = false
    }
    private let state = Mutex(State())
    private let stopWaiters = Waiters()
    /// Woken when the drain deadline is set.
    private let drainClockWaiters = Waiters()
    /// Ends of jobs the ledger did not take yet (see ``recordEnd(_:_:)``), by job id.
    let unrecordedEnds = Mutex<[String: UnrecordedEnd]>([:])
    private let jobPrefix = String(UInt64.random(in: 0..<UInt64.max), radix: 36)

    init(
        store: any ReactorStore, queue: any JobQueue, eventBus: any EventBus, models: ModelResolver,
        verifier: any SignatureVerifier, signer: (any Signer)?, readModels: [any ReadModel], processors: [any Processor],
        executorConfig: ExecutorConfig, admissionLimits: AdmissionLimits = AdmissionLimits(), writeCacheConfig: WriteCacheConfig,
        keyframeConfig: KeyframeConfig, historyConfig: HistoryConfig = HistoryConfig(),
        logger: Logger, jobTracker: JobTracker, ledger: (any JobLedger)? = nil, clusterConfig: ClusterConfig = ClusterConfig(),
        leaderElection: (any LeaderElection)? = nil, commitNotices: CommitNotices? = nil, syncConfig: SyncConfig = SyncConfig()
    ) {
        self.syncConfig = syncConfig
        self.ledger = ledger
        self.commitNotices = commitNotices
        self.clusterConfig = clusterConfig
        self.recorder = ledger.map { JobRecorder(ledger: $0, queue: queue) }
        self.store = store
        self.queue = queue
        self.eventBus = eventBus
        self.models = models
        self.jobTracker = jobTracker
        self.writeCache = WriteCache(config: writeCacheConfig)
        self.consistency = ConsistencyTracker()
        self.readModels = ReadModelCoordinator(readModels: readModels, logger: logger)
        self.watermark = ReadyWatermark()
        self.processorManager = ProcessorManager(processors: processors, store: store, watermark: watermark, logger: logger,
                                                 election: leaderElection)
        self.executorConfig = executorConfig
        self.admission = AdmissionControl(limits: admissionLimits)
        self.keyframeConfig = keyframeConfig
        self.historyConfig = historyConfig
        self.logger = logger
        self.defaultSigner = signer
        self.verifier = verifier
        self.loader = DocumentLoader(store: store, cache: writeCache, models: models)
        self.subscriptions = SubscriptionManager(store: store, loader: loader, watermark: watermark)
        let documents = loader
        self.access = DocumentAccessIndex { id in
            guard let snapshot = try await documents.snapshot(id, branch: Branch.main) else { return nil }
            let parents = try await store.relationships(to: id, type: Relationship.child).map(\.sourceID)
            return DocumentAccessEntry(documentState: snapshot.scopes[Scope.document]?.state, parents: parents)
        }
        var runner = JobRunner(store: store, loader: loader, models: models, keyframeInterval: keyframeConfig.interval)
        runner.threads.inline = executorConfig.reducersInline
        runner.historyConfig = historyConfig
        runner.recentStates = writeCacheConfig.ringBufferSize
        runner.maxReshuffle = syncConfig.maxReshuffle
        self.runner = runner
    }

    // MARK: Lifecycle

    /// Runs the executor, the timeout watchdog and the processors until ``kill()`` (or a graceful shutdown of the
    /// service group, or cancellation), then finishes every accepted job and returns. Jobs not finished when the
    /// drain deadline passes (``ExecutorConfig/shutdownDrainTimeout``) fail with `SHUTDOWN_DEADLINE`.
    public func run() async throws {
        let start = state.withLock { s -> Lifecycle in
            let previous = s.lifecycle
            if previous == .idle { s.lifecycle = .running }
            return previous
        }
        switch start {
        case .idle: break
        case .stopped: return  // killed before it started: nothing to run
        case .running, .stopping: throw ReactorError(.unsupported, "the reactor was already started")
        }
        let startOrdinal: Int64
        let resumed: [TakenOverJob]
        do {
            // In a cluster, other nodes' transactions may still hold lower ordinals than the newest: the follower
            // starts where the feed is complete (see `OrdinalFeed.swift`).
            startOrdinal = try await ledger == nil ? store.latestOrdinal() : store.completeOrdinal()
            watermark.start(at: startOrdinal)
            subscriptions.start(at: startOrdinal, cluster: ledger != nil)
            resumed = try await ledger?.join() ?? []
        } catch {
            // Could not start: stop for good, so that nobody waits on a reactor that never runs.
            state.withLock { $0.lifecycle = .stopping }
            beginShutdownOfIdleQueue()
            state.withLock { $0.lifecycle = .stopped }
            stopWaiters.notifyAll()
            throw error
        }
        if !resumed.isEmpty { await adopt(resumed) }
        await withGracefulShutdownHandler {
            // The event bus delivers buffered events for as long as the reactor runs, and what is left after.
            await withTaskGroup(of: Void.self) { bus in
                bus.addTask { await self.eventBus.run() }
                await withTaskCancellationHandler {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await self.processorManager.run() }
                        await withTaskGroup(of: Void.self) { executor in
                            executor.addTask { await self.watchdog() }
                            executor.addTask { await self.enforceDrainDeadline() }
                            if let ledger = self.ledger {
                                executor.addTask { await self.heartbeatLoop(ledger) }
                                executor.addTask { await self.followCluster(from: startOrdinal) }
                                if let notices = self.commitNotices {
                                    executor.addTask { await notices.runPublisher(logger: self.logger) }
                                    executor.addTask { await notices.runListener(logger: self.logger) }
                                }
                            }
                            await withTaskGroup(of: Void.self) { loops in
                                loops.addTask { await self.executorLoop(self.queue) }
                                if self.ledger != nil { loops.addTask { await self.executorLoop(self.takenOverQueue) } }
                            }
                            self.state.withLock { $0.executorFinished = true }
                            executor.cancelAll()
                        }
                        self.processorManager.stop()
                        await group.waitForAll()
                    }
                } onCancel: {
                    self.beginShutdown()
                }
                bus.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        if let ledger {
            // Job ends kept because the ledger refused them: a last try before the node leaves.
            for attempt in 0..<5 where !(await recordKeptEnds(ledger)) {
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
            let lost = unrecordedEnds.withLock { $0.keys.sorted() }
            if !lost.isEmpty {
                logger.error("the ends of these jobs could not be recorded; another node may run them again after the node timeout",
                             metadata: ["jobIds": "\(lost.joined(separator: ","))"])
            }
            await ledger.leave()
        }
        state.withLock { $0.lifecycle = .stopped }
        stopWaiters.notifyAll()
    }

    /// Stops accepting work at once. The returned handle's ``ShutdownHandle/completed()`` returns when every job
    /// accepted before was finished, or failed with `SHUTDOWN_DEADLINE` at the drain deadline
    /// (``ExecutorConfig/shutdownDrainTimeout`` after ``startShutdownClock()``, or after this call).
    @discardableResult
    public func kill() -> ShutdownHandle {
        beginShutdown()
        return ShutdownHandle(reactor: self)
    }

    /// Whether new work is refused.
    public var isShutdown: Bool { state.withLock { $0.lifecycle != .idle && $0.lifecycle != .running } }

    var isStopped: Bool { state.withLock { $0.lifecycle == .stopped } }

    func waitUntilStopped() async {
        _ = try? await stopWaiters.wait { [self] in isStopped }
    }

    /// Starts the shutdown's drain clock now (once; later calls and the shutdown itself keep the first start): the
    /// jobs not finished ``ExecutorConfig/shutdownDrainTimeout`` from now fail with `SHUTDOWN_DEADLINE`, and from
    /// then on new work is refused. Work is still accepted until then, or until the shutdown begins. A server calls
    /// it when its shutdown begins, before it stops serving requests, so that the whole shutdown ends within the
    /// timeout (plus what jobs already committing need to finish).
    public func startShutdownClock() {
        let started = state.withLock { s -> Bool in
            guard s.drainDeadline == nil else { return false }
            s.drainDeadline = ContinuousClock.now.advanced(by: executorConfig.shutdownDrainTimeout)
            return true
        }
        if started { drainClockWaiters.notifyAll() }
    }

    private func beginShutdown() {
        startShutdownClock()
        let (neverStarted, closeNow) = state.withLock { s -> (Bool, Bool) in
            switch s.lifecycle {
            case .idle:
                s.lifecycle = .stopped
                s.neverStarted = true
            case .running:
                s.lifecycle = .stopping
            case .stopping, .stopped:
                break
            }
            // Submissions already admitted are queued (and run) before the queues close: a submitter is never told
            // "refused" about a job the ledger holds, which another node would take over and run after all.
            if s.admittedSubmissions > 0 {
                s.closeQueuesWhenAdmittedLeave = true
                return (s.neverStarted, false)
            }
            return (s.neverStarted, true)
        }
        if closeNow { closeQueues(neverStarted: neverStarted) }
    }

    private func closeQueues(neverStarted: Bool) {
        queue.close()
        takenOverQueue.close()
        if neverStarted {
            beginShutdownOfIdleQueue()
            stopWaiters.notifyAll()
        }
    }

    /// Admits one submission unless the reactor is shutting down: refused work is refused before anything (a ledger
    /// record) exists of it, and admitted work reaches the queue before the shutdown closes it.
    private func admitSubmission() -> Bool {
        state.withLock { s in
            guard s.lifecycle == .idle || s.lifecycle == .running else { return false }
            s.admittedSubmissions += 1
            return true
        }
    }

    private func submissionLeft() {
        let close = state.withLock { s -> Bool? in
            s.admittedSubmissions -= 1
            guard s.admittedSubmissions == 0, s.closeQueuesWhenAdmittedLeave else { return nil }
            s.closeQueuesWhenAdmittedLeave = false
            return s.neverStarted
        }
        if let neverStarted = close { closeQueues(neverStarted: neverStarted) }
    }

    /// Nobody will run what is queued: fails it so that no caller waits forever.
    private func beginShutdownOfIdleQueue() {
        queue.close()
        let error = ReactorError.shutdown()
        while queue.pendingCount > 0 {
            guard let work = queue.dequeueNow() else { break }
            let job: Job
            switch work {
            case .run(let j): job = j
            case .dependencyFailed(let j, _): job = j
            }
            jobTracker.update(job.id) { $0.status = .failed; $0.error = error }
            complete(job, succeeded: false, in: queue)
        }
    }

    // MARK: Submitting

    /// Registers and enqueues jobs atomically; returns their infos (all `PENDING`). Refuses them all, before anything
    /// of them exists (in a cluster: before they are recorded in the ledger), when the reactor is shutting down or the
    /// pending work is at its ``AdmissionLimits``.
    func submit(_ jobs: [Job]) async throws -> [JobInfo] {
        for job in jobs {
            try Self.checkIdentifiers(job)
            try checkSignatures(job)
        }
        guard admitSubmission() else { throw ReactorError.shutdown() }
        defer { submissionLeft() }
        try admission.admit(jobs)
        let infos = jobs.map { JobInfo(id: $0.id, documentID: $0.documentID, createdAt: $0.createdAt) }
        jobTracker.register(infos)
        // PENDING is announced before the executor can see the job, so no RUNNING event can precede it.
        for info in infos { await eventBus.emit(.jobPending(info)) }
        do {
            // Recorded for the cluster before it can run (once accepted, a job survives this node), and queued in
            // the ledger's order.
            if let recorder { try await recorder.submit(jobs) } else { try queue.enqueue(jobs) }
        } catch {
            for job in jobs { admission.release(job.id) }
            let reason = (error as? ReactorError) ?? .shutdown()
            for info in infos {
                if let failed = jobTracker.update(info.id, { $0.status = .failed; $0.error = reason }) {
                    await eventBus.emit(.jobFailed(failed, reason))
                }
            }
            throw error
        }
        return infos
    }

    /// Refuses, before anything is accepted, a job whose document id, branch, action ids or scopes break the rules
    /// of ``Identifiers`` (the same rules the HTTP routes and the CLI apply).
    static func checkIdentifiers(_ job: Job) throws {
        try Identifiers.documentID.check(job.documentID, path: "documentId")
        try Identifiers.branch.check(job.branch, path: "branch")
        if case .actions(let actions) = job.payload {
            for (i, action) in actions.enumerated() {
                try Identifiers.check(action, path: "actions[\(i)]")
                if action.type == BaseAction.merge {
                    throw ReactorError.invalidInput("MERGE is written by sync only", path: "actions[\(i)].type")
                }
                if action.type == SystemAction.create, let slug = action.input["slug"]?.stringValue {
                    try Identifiers.slug.check(slug, path: "slug")
                }
            }
        }
    }

    /// Verifies every signature a job's actions (or loaded operations) carry, before anything is accepted: a forged
    /// or unchecked signature is refused with the submission, never stored.
    func checkSignatures(_ job: Job) throws {
        switch job.payload {
        case .actions(let actions):
            for action in actions { try verifier.verify(action, documentID: job.documentID, branch: job.branch) }
        case .operations(let operations):
            for op in operations { try verifier.verify(op.action, documentID: job.documentID, branch: job.branch) }
        case .sync(_, let operations):
            for op in operations { try verifier.verify(op.operation.action, documentID: job.documentID, branch: job.branch) }
        }
    }

    func newJobID() -> String {
        let n = state.withLock { s -> UInt64 in s.nextJob += 1; return s.nextJob }
        return "job-\(jobPrefix)-\(n)"
    }

    // MARK: Executing

    /// Runs jobs from `queue`, at most `maxConcurrency` at a time. A slot is given back when its job ends or times
    /// out, so a job stuck past its timeout (a reducer that never returns, a store that does not answer) does not keep
    /// the executor from running other documents' jobs.
    private func executorLoop(_ queue: any JobQueue) async {
        let slots = ExecutorSlots(count: executorConfig.maxConcurrency)
        await withDiscardingTaskGroup { group in
            while true {
                guard await slots.acquire() else { break }
                guard let work = await queue.dequeue() else {
                    slots.release()
                    break
                }
                group.addTask { await self.execute(work, from: queue, slots: slots) }
            }
        }
    }

    private func execute(_ work: QueuedWork, from queue: any JobQueue, slots: ExecutorSlots) async {
        switch work {
        case .dependencyFailed(let job, let dependency):
            let error = isDrainExpired ? drainDeadlineError(job, wasRunning: false)
                : ReactorError(.dependencyFailed, "job '\(job.id)' did not run: its dependency '\(dependency)' failed",
                               details: ["jobId": job.id, "dependencyId": dependency])
            await reportUnfinished(job, error: error, queue: queue, wasRunning: false)
            slots.release()
        case .run(let job):
            let control = JobControl(onEnd: { slots.release() })
            await JobControl.$current.withValue(control) { await run(job, control: control, from: queue) }
            control.end()
        }
    }

    private func run(_ job: Job, control: JobControl, from queue: any JobQueue) async {
        // Past the drain deadline nothing starts: the job fails as it leaves the queue (checked with the registration,
        // so that a job is either failed here or seen running by ``expireDrain()``).
        guard await start(job, control: control, queue: queue) else { return }
        defer { _ = state.withLock { $0.running.removeValue(forKey: job.id) } }
        let followers = await attempts(job, control: control, queue: queue, mayLead: true)
        // Jobs that rode along with this one and whose commit failed run again, alone, in their order.
        for follower in followers {
            await JobControl.$current.withValue(follower.control) {
                _ = await attempts(follower.job, control: follower.control, queue: queue, mayLead: false)
            }
            _ = state.withLock { $0.running.removeValue(forKey: follower.job.id) }
            follower.control.end()
        }
    }

    /// Registers a job as running (false, having failed it, past the drain deadline).
    private func start(_ job: Job, control: JobControl, queue: any JobQueue) async -> Bool {
        let starts = state.withLock { s -> Bool in
            guard !s.drainExpired else { return false }
            s.running[job.id] = (job, control, queue)
            return true
        }
        guard starts else {
            _ = control.finish()
            await reportUnfinished(job, error: drainDeadlineError(job, wasRunning: false), queue: queue, wasRunning: false)
            return false
        }
        consistency.beginWrite(job.documentID)
        if let info = jobTracker.update(job.id, { $0.status = .running }) { await eventBus.emit(.jobRunning(info)) }
        return true
    }

    /// A queued job of the same document prepared on the state the jobs before it leave, committed with them.
    private struct Follower {
        let job: Job
        let control: JobControl
        var prepared: JobRunner.Prepared
        /// Prepared on the jobs before it and committing: it goes into their commit.
        var rides = false
    }

    /// Runs a job until it succeeds or fails, retrying what may succeed on a retry. With `mayLead`, the document's
    /// queued jobs are prepared after it and committed with it (``ExecutorConfig/maxJobsPerCommit``); returns those
    /// that must run again (their commit failed), in order.
    private func attempts(_ job: Job, control: JobControl, queue: any JobQueue, mayLead: Bool) async -> [Follower] {
        var attempt = 0
        var dedupe = false
        var waitForTurn = ledger?.mayWait(job) ?? false
        var followers: [Follower] = []
        while true {
            do {
                if waitForTurn, let ledger {
                    try await ledger.waitForTurn(job, timeout: turnTimeout(control))
                    waitForTurn = false
                    // The earlier job was another node's: what this node cached of the document is stale.
                    writeCache.invalidate(job.documentID, branch: job.branch)
                }
                var prepared = try await runner.prepare(job, dedupe: dedupe)
                if let ledger, var commit = prepared.commit {
                    commit.job = JobFence(jobID: job.id, nodeID: ledger.nodeID, token: Self.token(for: commit))
                    prepared.commit = commit
                }
                // Past the deadline at the commit point: never commit, whether or not the watchdog has run yet
                // (a blocking reducer can starve it).
                if control.startedAt.duration(to: .now) > executorConfig.jobTimeout, control.timeOut() {
                    await reportTimeout(job, queue: queue)
                    return followers
                }
                guard control.beginCommit() else { return followers }  // timed out: the watchdog reported it
                // Committing already, so that preparing the jobs that ride along (each timed by its own clock) can
                // delay this job's commit but never time it out.
                if mayLead, followers.isEmpty, attempt == 0, !dedupe, ledger == nil, executorConfig.maxJobsPerCommit > 1,
                   let commit = prepared.commit, commit.appends.count == 1, !commit.createsDocument, let work = prepared.work {
                    followers = await prepareFollowers(of: job, stream: commit.appends[0].stream, after: work.snapshot, queue: queue)
                }
                // After a failed first attempt the followers' bases are gone: they run again alone afterwards.
                var riders: [Follower] = []
                if attempt == 0, !dedupe, prepared.commit != nil { riders = Self.riders(of: followers) }
                var records: [OperationRecord] = []
                var snapshot: DocumentSnapshot?
                var riderResults: [Result<CommitReceipt, ReactorError>] = []
                if let commit = prepared.commit, let work = prepared.work {
                    let ticket = ledger == nil ? nil : localCommits.begin()
                    let watermarkTicket = watermark.beginCommit()
                    let results = await store.commit([commit] + riders.map { $0.prepared.commit! })
                    let stored = results.flatMap { (try? $0.get())?.records ?? [] }
                    watermark.endCommit(watermarkTicket, ordinals: stored.map(\.ordinal))
                    if let ticket { localCommits.end(ticket, ordinals: stored.map(\.ordinal)) }
                    riderResults = Array(results.dropFirst())
                    do {
                        records = try results[0].get().records
                        commitNotices?.commitStored()
                    } catch {
                        // The watermark may move on now that this commit will not: so may the subscriptions.
                        subscriptions.release()
                        control.abortCommit()
                        for rider in riders { rider.control.abortCommit() }
                        throw error
                    }
                    snapshot = cacheCommitted(job, work: work, records: records)
                }
                await succeed(job, records: records, snapshot: snapshot, control: control, queue: queue,
                              token: prepared.commit?.job?.token)
                return await settle(riders, results: riderResults, of: followers, queue: queue)
            } catch let error as ReactorError where error.code == .documentBusy && !control.isTimedOut {
                // An earlier job of this document (accepted by another node) must commit first.
                waitForTurn = true
                writeCache.invalidate(job.documentID, branch: job.branch)
            } catch let error as ReactorError where error.code == .revisionConflict && error.details["operationId"] != nil && !dedupe {
                // A re-delivered action raced its first delivery: retry, skipping what is stored.
                dedupe = true
                writeCache.invalidate(job.documentID, branch: job.branch)
            } catch let error as ReactorError where error.isTransient && attempt < executorConfig.maxRetries && !control.isTimedOut {
                attempt += 1
                dedupe = true
                writeCache.invalidate(job.documentID, branch: job.branch)
                jobTracker.update(job.id) { $0.attempts = attempt }
                logger.debug("retrying job after transient error", metadata: ["jobId": "\(job.id)", "error": "\(error)"])
                try? await Task.sleep(for: executorConfig.retryBaseDelay * (1 << min(attempt - 1, 10)))
            } catch let error as ReactorError where error.code == .jobTakenOver {
                await reportTakenOver(job, error: error, control: control, queue: queue)
                return followers
            } catch {
                let reactorError = (error as? ReactorError) ?? ReactorError(.internal, "job failed: \(error)")
                await fail(job, error: reactorError, control: control, queue: queue)
                return followers
            }
        }
    }

    /// Takes the document's queued jobs (up to ``ExecutorConfig/maxJobsPerCommit`` with the leader) and prepares each
    /// on the state the one before it leaves. Only jobs that append to the leader's one stream ride along, so that a
    /// commit that fails makes every later one fail too (the store checks each stream's revision): the jobs from a
    /// failed one on can simply run again. A job that fails to prepare fails as it would alone and is left out; one
    /// that cannot ride (it writes elsewhere or nothing, or its preparation may succeed on a retry) ends the list and
    /// runs again alone.
    private func prepareFollowers(of leader: Job, stream: StreamID, after base: DocumentSnapshot, queue: any JobQueue) async -> [Follower] {
        var followers: [Follower] = []
        var base = base
        // Off the calling thread: a reducer that never returns is abandoned at its own job's timeout, and the jobs
        // before it commit then (inline, it would hold this task and every job waiting in it).
        var runner = self.runner
        runner.threads.inline = false
        while followers.count + 1 < executorConfig.maxJobsPerCommit,
              let next = queue.dequeueFollowing(leader.documentID, branch: leader.branch) {
            let control = JobControl()
            guard await start(next, control: control, queue: queue) else {
                control.end()
                continue
            }
            do {
                let prepared = try await JobControl.$current.withValue(control) { try await runner.prepare(next, dedupe: false, base: base) }
                // One that rides along commits with the jobs before it: it waits for them committing (no timeout).
                let rides = prepared.commit.map { Self.appendsOnly(to: stream, $0) } == true && prepared.work != nil && control.beginCommit()
                followers.append(Follower(job: next, control: control, prepared: prepared, rides: rides))
                guard rides, let work = prepared.work else { break }
                base = work.snapshot
            } catch {
                let reactorError = (error as? ReactorError) ?? ReactorError(.internal, "job failed: \(error)")
                if reactorError.isTransient || reactorError.code == .jobTimeout {
                    // Run again alone after the jobs before it (a timeout is the watchdog's to report).
                    followers.append(Follower(job: next, control: control, prepared: .init(work: nil, commit: nil)))
                    break
                }
                await fail(next, error: reactorError, control: control, queue: queue)
                _ = state.withLock { $0.running.removeValue(forKey: next.id) }
                control.end()
            }
        }
        return followers
    }

    /// Whether `commit` only appends to `stream` (so its success depends on the commits before it in that stream).
    private static func appendsOnly(to stream: StreamID, _ commit: Commit) -> Bool {
        !commit.createsDocument && commit.appends.count == 1 && commit.appends[0].stream == stream
    }

    /// The followers that go into the leader's commit: the leading ones prepared to ride along (every one but
    /// possibly the last, which ended the preparation and runs again alone).
    private static func riders(of followers: [Follower]) -> [Follower] {
        Array(followers.prefix { $0.rides })
    }

    /// Ends the jobs committed with a leader, in order: those whose commit succeeded succeed; from the first whose
    /// commit failed (or that was not in it) on, they are returned to run again alone.
    private func settle(_ riders: [Follower], results: [Result<CommitReceipt, ReactorError>], of followers: [Follower], queue: any JobQueue) async -> [Follower] {
        var again: [Follower] = []
        for (index, follower) in followers.enumerated() {
            guard again.isEmpty, index < riders.count, index < results.count, case .success(let receipt) = results[index],
                  let work = follower.prepared.work
            else {
                if index < riders.count { follower.control.abortCommit() }
                again.append(follower)
                continue
            }
            let snapshot = cacheCommitted(follower.job, work: work, records: receipt.records)
            await succeed(follower.job, records: receipt.records, snapshot: snapshot, control: follower.control, queue: queue, token: nil)
            _ = state.withLock { $0.running.removeValue(forKey: follower.job.id) }
            follower.control.end()
        }
        return again
    }

    /// Puts a committed job's document in the write cache and forgets identifiers it changed; returns the snapshot.
    private func cacheCommitted(_ job: Job, work: WorkingDocument, records: [OperationRecord]) -> DocumentSnapshot {
        var recent: [String: [WriteCache.RecentState]] = [:]
        for (scope, sw) in work.scopes where !sw.recent.isEmpty { recent[scope] = sw.recent }
        let snapshot = work.snapshot
        // The document scope (name, slug, deletion …) shows on every branch: other branches' cached
        // views are stale after it changes.
        if !work.created, work.homeHeader == nil, !(work.scopes[Scope.document]?.operations.isEmpty ?? true) {
            writeCache.invalidate(job.documentID)
        }
        writeCache.put(snapshot, recent: recent)
        // A create, slug change or delete changes what ids and slugs name: forget it before the job's
        // token can be used to read.
        for documentID in Set(records.filter { $0.stream.scope == Scope.document }.map(\.stream.documentID)) {
            identifiers.invalidate(documentID: documentID, slug: documentID == snapshot.header.id ? snapshot.header.slug : nil)
        }
        return snapshot
    }

    /// - Parameter token: the token the job's fence stored in the ledger (cluster), so every node reports the same one;
    ///   without one it is built from the records.
    private func succeed(_ job: Job, records: [OperationRecord], snapshot: DocumentSnapshot?, control: JobControl, queue: any JobQueue,
                         token fenceToken: ConsistencyToken?) async {
        _ = control.finish()
        access.invalidate(records)
        let ordinals = records.map(\.ordinal)
        let token = fenceToken ?? ConsistencyToken(coordinates: records.map {
            .init(documentID: $0.stream.documentID, scope: $0.stream.scope, branch: $0.stream.branch, operationIndex: $0.operation.index)
        })
        if let info = jobTracker.update(job.id, { $0.status = .writeReady; $0.consistencyToken = token }) {
            await eventBus.emit(.jobWriteReady(info, records))
        }
        await readModels.index(records)
        consistency.markIndexed(records)
        // The change is published before its ordinals are ready and released once the watermark passed them, so
        // subscribers get changes in global ordinal order (each document's in index order), whichever job ends first.
        if let snapshot { await subscriptions.publish(records: records) { snapshot.document } }
        watermark.ready(ordinals)
        subscriptions.release()
        // In a cluster nothing is released beyond the follower's position: let it read past this commit now.
        if ledger != nil, !records.isEmpty, subscriptions.count > 0 { commitNotices?.wakeup.signal() }
        let info = jobTracker.update(job.id) { $0.status = .readReady }
        // A fenced commit recorded the job's end with its operations; a job with nothing to write records it here.
        if records.isEmpty, let info { await recordEnd(job, info) }
        consistency.endWrite(job.documentID)
        complete(job, succeeded: true, in: queue)
        if let info { await eventBus.emit(.jobReadReady(info, records)) }
    }

    private func fail(_ job: Job, error: ReactorError, control: JobControl, queue: any JobQueue) async {
        guard control.finish() else { return }
        let info = jobTracker.update(job.id) { $0.status = .failed; $0.error = error }
        // A job taken over by another node is that node's to record.
        if let info, error.code != .jobTakenOver { await recordEnd(job, info) }
        consistency.endWrite(job.documentID)
        complete(job, succeeded: false, in: queue)
        if let info { await eventBus.emit(.jobFailed(info, error)) }
    }

    /// Another node presumed this one stopped and took the job over: reports that node's outcome (polled in the
    /// ledger, up to the job timeout) instead of a failure the client would misread.
    private func reportTakenOver(_ job: Job, error: ReactorError, control: JobControl, queue: any JobQueue) async {
        writeCache.invalidate(job.documentID, branch: job.branch)
        var outcome: JobInfo?
        if let ledger {
            let deadline = ContinuousClock.now.advanced(by: executorConfig.jobTimeout)
            while outcome == nil, ContinuousClock.now < deadline, !Task.isCancelled {
                if let info = try? await ledger.info(of: job.id), info.status.isTerminal { outcome = info } else {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        guard let outcome, outcome.status == .readReady else {
            await fail(job, error: outcome?.error ?? error, control: control, queue: queue)
            return
        }
        guard control.finish() else { return }
        let info = jobTracker.update(job.id) { $0.status = .readReady; $0.consistencyToken = outcome.consistencyToken }
        consistency.endWrite(job.documentID)
        complete(job, succeeded: true, in: queue)
        if let info { await eventBus.emit(.jobReadReady(info, [])) }
    }

    /// Fails jobs that run past the timeout, releasing their documents.
    private func watchdog() async {
        let timeout = executorConfig.jobTimeout
        let tick = min(max(timeout / 4, .milliseconds(5)), .milliseconds(100))
        while !Task.isCancelled && !state.withLock({ $0.executorFinished }) {
            try? await Task.sleep(for: tick)
            let overdue = state.withLock { s in s.running.values.filter { $0.1.startedAt.duration(to: .now) > timeout } }
            for (job, control, queue) in overdue where control.timeOut() {
                await reportTimeout(job, queue: queue)
            }
        }
    }

    /// Fails a timed-out job and releases its document (its reducer may still be running; it will not commit).
    private func reportTimeout(_ job: Job, queue: any JobQueue) async {
        let error = ReactorError(.jobTimeout, "job '\(job.id)' ran longer than \(executorConfig.jobTimeout)", details: ["jobId": job.id])
        logger.warning("job timed out", metadata: ["jobId": "\(job.id)", "documentId": "\(job.documentID)"])
        await reportUnfinished(job, error: error, queue: queue, wasRunning: true)
    }

    /// Fails a job that did not run to its end (timed out, dropped at the drain deadline, its dependency failed):
    /// records the failure (tracker, ledger), releases its document and its admission budget, announces it.
    private func reportUnfinished(_ job: Job, error: ReactorError, queue: any JobQueue, wasRunning: Bool) async {
        let info = jobTracker.update(job.id) { $0.status = .failed; $0.error = error }
        if let info { await recordEnd(job, info) }
        if wasRunning { consistency.endWrite(job.documentID) }
        complete(job, succeeded: false, in: queue)
        if let info { await eventBus.emit(.jobFailed(info, error)) }
    }

    /// The end of every job: its document is released in its queue, its admission budget given back.
    private func complete(_ job: Job, succeeded: Bool, in queue: any JobQueue) {
        queue.complete(job, succeeded: succeeded)
        admission.release(job.id)
    }

    // MARK: Shutdown drain deadline

    var isDrainExpired: Bool { state.withLock { $0.drainExpired } }

    /// How long a job may wait for its turn (cluster): until its timeout, and not past the drain deadline.
    private func turnTimeout(_ control: JobControl) -> Duration {
        let untilTimeout = executorConfig.jobTimeout - control.startedAt.duration(to: .now)
        guard let deadline = state.withLock({ $0.drainDeadline }) else { return untilTimeout }
        return min(untilTimeout, ContinuousClock.now.duration(to: deadline))
    }

    /// Waits for the drain clock to start, then for the deadline; then fails what is not finished. Runs until the
    /// executor is done (its task is cancelled then). Cancelled before (the reactor's task was cancelled: stop now),
    /// the deadline is taken as passed.
    private func enforceDrainDeadline() async {
        do {
            try await drainClockWaiters.wait { [self] in state.withLock { $0.drainDeadline != nil } }
            guard let deadline = state.withLock({ $0.drainDeadline }) else { return }
            try await Task.sleep(until: deadline, clock: .continuous)
        } catch {
            if state.withLock({ $0.executorFinished }) { return }
        }
        await expireDrain()
    }

    /// The drain deadline passed: intake stops (if the clock started before the shutdown), running jobs that are
    /// not committing are failed now (one committing finishes its commit), and queued ones as they leave the queue.
    /// Every one of them is `FAILED` with `SHUTDOWN_DEADLINE` in the tracker and the ledger, announced and logged.
    private func expireDrain() async {
        let running = state.withLock { s -> [(Job, JobControl, any JobQueue)] in
            s.drainExpired = true
            return Array(s.running.values)
        }
        beginShutdown()
        let pending = admission.pending
        if pending.jobs > 0 || !running.isEmpty {
            logger.warning("the shutdown's drain deadline passed: failing the jobs not finished", metadata: [
                "pendingJobs": "\(pending.jobs)", "runningJobs": "\(running.count)",
                "drainTimeout": "\(executorConfig.shutdownDrainTimeout)",
            ])
        }
        for (job, control, queue) in running where control.timeOut() {
            await reportUnfinished(job, error: drainDeadlineError(job, wasRunning: true), queue: queue, wasRunning: true)
        }
    }

    /// The error of a job failed at the drain deadline; logs it (one line per job).
    private func drainDeadlineError(_ job: Job, wasRunning: Bool) -> ReactorError {
        logger.error("job failed: the shutdown's drain deadline passed before it finished", metadata: [
            "jobId": "\(job.id)", "documentId": "\(job.documentID)", "was": "\(wasRunning ? "running" : "queued")",
        ])
        return ReactorError(.shutdownDeadline,
                            "job '\(job.id)' had not finished when the shutdown's drain deadline passed; nothing of it was written",
                            details: ["jobId": job.id, "documentId": job.documentID])
    }
}

/// Returned by ``Reactor/kill()``.
public struct ShutdownHandle: Sendable {
    let reactor: Reactor

    /// True: the reactor refuses new work from the moment ``Reactor/kill()`` returned.
    public var isShutdown: Bool { reactor.isShutdown }

    /// Returns when every job accepted before the kill has finished (or failed at the drain deadline).
    public func completed() async {
        await reactor.waitUntilStopped()
    }
}
