import Logging
import PostgresNIO
import ReactorCore
import Synchronization

/// The ``JobLedger`` of a cluster of reactor nodes on one PostgreSQL schema: job rows in the ``PostgresStore``'s
/// `jobs` table, node heartbeats in `nodes` (schema version 2).
///
/// - ``record(_:)`` inserts the accepted jobs as `PENDING`, owned by this node; their identity column `seq` is the
///   cluster-wide order. It also learns which of them follow a pending job of another node on the same document.
/// - Commits carry a ``JobFence``; the store's writer checks it and marks the job `WRITE_READY` in the same
///   transaction (see `PostgresCommitWriter+Fence`), so a job's operations and its end are stored together.
/// - ``heartbeat(takeOver:)`` refreshes `nodes.seen_at` (the database's clock, so node clocks may differ) and claims
///   the pending jobs of nodes not seen for ``PostgresJobLedgerConfiguration/nodeTimeout``.
///
/// Uses the store's connection pool, so the store must be running.
public final class PostgresJobLedger: JobLedger {
    public let store: PostgresStore
    public let configuration: PostgresJobLedgerConfiguration
    private let logger: Logger
    private struct State {
        /// Jobs recorded behind a pending job of another node, or taken over: they wait for their turn first.
        var mayWait: Set<String> = []
        var heartbeats = 0
        /// Whether this node's row exists (jobs recorded by an unregistered node would look abandoned).
        var registered = false
        /// Whether other nodes' announcements arrive (see ``announcementsArrive(_:)``).
        var announced = false
    }
    private let state = Mutex(State())
    /// Woken by other nodes' announcements.
    private let turns = TurnSignal()
    /// When this ledger was created: older pending jobs of this node id belong to a previous run.
    private let createdAt = Clock.nowMilliseconds()

    /// A ledger for the nodes on `store`'s schema.
    ///
    /// - Throws: `CONFIG_INVALID` when the configuration is invalid.
    public init(store: PostgresStore, configuration: PostgresJobLedgerConfiguration = PostgresJobLedgerConfiguration(),
                logger: Logger = Logger(label: "reactor.cluster")) throws {
        try configuration.validate()
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public var nodeID: String { configuration.nodeID }
    public var heartbeatInterval: Duration { configuration.heartbeatInterval }

    private var t: PostgresTables { store.tables }
    /// The database's clock in milliseconds since 1970.
    private static let now = "(extract(epoch from clock_timestamp()) * 1000)::int8"

    public func join() async throws -> [TakenOverJob] {
        try await register()
        // A node restarted under the same id resumes what it had accepted.
        let rows = try await store.read { c in
            try await c.query("""
                SELECT id, document_id, branch, payload, depends_on, created_at, claimed_by, seq FROM \(unescaped: t.jobs)
                WHERE status = 'PENDING' AND claimed_by = \(nodeID) AND payload IS NOT NULL AND created_at < \(createdAt)
                ORDER BY seq
                """, logger: logger).collect()
        }
        return try await takenOver(rows)
    }

    /// Inserts (or refreshes) this node's row.
    private func register() async throws {
        try await store.read { c in
            _ = try await c.query("""
                INSERT INTO \(unescaped: t.nodes) (id, started_at, seen_at) VALUES (\(nodeID), \(unescaped: Self.now), \(unescaped: Self.now))
                ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at
                """, logger: logger).collect()
        }
        state.withLock { $0.registered = true }
    }

    public func record(_ jobs: [Job]) async throws {
        guard !jobs.isEmpty else { return }
        // Jobs may be submitted while the reactor is still starting: the node must exist before its jobs do.
        if !state.withLock({ $0.registered }) { try await register() }
        var ids: [String] = [], documents: [String] = [], branches: [String] = [], payloads: [String] = []
        var dependencies: [String] = [], created: [Int64] = []
        for job in jobs {
            ids.append(job.id)
            documents.append(job.documentID)
            branches.append(job.branch)
            payloads.append(try JSONValueCoder.encode(job.payload).canonicalString)
            dependencies.append(JSONValue.array(job.dependsOn.map { .string($0) }).canonicalString)
            created.append(job.createdAt)
        }
        let rows = try await store.read { c in
            try await c.query("""
                WITH ins AS (
                    INSERT INTO \(unescaped: t.jobs) (id, document_id, branch, status, payload, depends_on, created_at, updated_at, claimed_by)
                    SELECT u.id, u.doc, u.branch, 'PENDING', u.payload, u.deps, u.created, u.created, \(nodeID)
                    FROM unnest(\(ids)::text[], \(documents)::text[], \(branches)::text[], \(payloads)::text[], \(dependencies)::text[],
                        \(created)::int8[]) WITH ORDINALITY AS u(id, doc, branch, payload, deps, created, n)
                    ORDER BY u.n
                    RETURNING id, document_id, seq)
                SELECT ins.id FROM ins WHERE EXISTS (
                    SELECT 1 FROM \(unescaped: t.jobs) e
                    WHERE e.document_id = ins.document_id AND e.status = 'PENDING' AND e.seq < ins.seq AND e.claimed_by <> \(nodeID))
                """, logger: logger).collect()
        }
        guard !rows.isEmpty else { return }
        let behind = try rows.map { try $0.decode(String.self) }
        state.withLock { $0.mayWait.formUnion(behind) }
    }

    public func mayWait(_ job: Job) -> Bool {
        state.withLock { $0.mayWait.contains(job.id) }
    }

    /// Returns once no earlier job of `job`'s document is pending on any node. Checks once, then again after each
    /// announcement of another node (``othersAnnounced()``, from its commit notices); while announcements arrive it
    /// checks by itself only every ``PostgresJobLedgerConfiguration/notifiedTurnPollInterval``, otherwise every
    /// ``PostgresJobLedgerConfiguration/turnPollInterval``, doubling to 200 ms.
    public func waitForTurn(_ job: Job, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var delay = configuration.turnPollInterval
        while true {
            let seen = turns.generation
            let blocked = try await store.read { c in
                try await c.query("""
                    SELECT EXISTS (SELECT 1 FROM \(unescaped: t.jobs) e JOIN \(unescaped: t.jobs) j ON e.document_id = j.document_id
                                   WHERE j.id = \(job.id) AND e.status = 'PENDING' AND e.seq < j.seq)
                    """, logger: logger).collect().first.map { try $0.decode(Bool.self) } ?? false
            }
            if !blocked {
                _ = state.withLock { $0.mayWait.remove(job.id) }
                return
            }
            guard ContinuousClock.now < deadline else { throw ReactorError.documentBusy(job.id, documentID: job.documentID) }
            let announced = state.withLock { $0.announced }
            let wait = announced ? configuration.notifiedTurnPollInterval : delay
            await turns.wait(beyond: seen, timeout: min(wait, ContinuousClock.now.duration(to: deadline)))
            try Task.checkCancellation()
            if !announced { delay = min(delay * 2, .milliseconds(200)) }
        }
    }

    public func othersAnnounced() {
        turns.signal()
    }

    public func announcementsArrive(_ arrive: Bool) {
        state.withLock { $0.announced = arrive }
    }

    public func finish(_ job: Job, info: JobInfo) async throws {
        _ = state.withLock { $0.mayWait.remove(job.id) }
        let error = try info.error.map { try JSONValueCoder.encode($0).canonicalString }
        let token = try info.consistencyToken.map { try JSONValueCoder.encode($0).canonicalString }
        try await store.read { c in
            _ = try await c.query("""
                UPDATE \(unescaped: t.jobs) SET status = \(info.status.rawValue), error = \(error), consistency_token = \(token),
                    updated_at = \(info.updatedAt), attempt = \(Int32(clamping: info.attempts))
                WHERE id = \(job.id) AND claimed_by = \(nodeID) AND status = 'PENDING'
                """, logger: logger).collect()
        }
    }

    public func heartbeat(takeOver: Bool) async throws -> [TakenOverJob] {
        let beat = state.withLock { s -> Int in
            s.heartbeats += 1
            return s.heartbeats
        }
        // Re-inserts the row if another node presumed this one stopped and removed it.
        try await register()
        if beat % 300 == 0 { try await deleteOldRecords() }
        guard takeOver else { return [] }
        let timeout = Self.milliseconds(configuration.nodeTimeout)
        let rows = try await store.read { c in
            try await c.query("""
                UPDATE \(unescaped: t.jobs) j SET claimed_by = \(nodeID)
                FROM (SELECT id, claimed_by FROM \(unescaped: t.jobs)
                      WHERE status = 'PENDING' AND payload IS NOT NULL AND claimed_by IS DISTINCT FROM \(nodeID)
                          AND claimed_by NOT IN (SELECT id FROM \(unescaped: t.nodes) WHERE seen_at >= \(unescaped: Self.now) - \(timeout))
                      FOR UPDATE SKIP LOCKED) d
                WHERE j.id = d.id
                RETURNING j.id, j.document_id, j.branch, j.payload, j.depends_on, j.created_at, d.claimed_by, j.seq
                """, logger: logger).collect()
        }
        guard !rows.isEmpty else { return [] }
        let sorted = try rows.map { (try $0.decode((String, String, String, String?, String, Int64, String?, Int64).self).7, $0) }
            .sorted { $0.0 < $1.0 }.map(\.1)
        _ = try await store.read { c in
            try await c.query("""
                DELETE FROM \(unescaped: t.nodes) n WHERE n.seen_at < \(unescaped: Self.now) - \(timeout)
                    AND NOT EXISTS (SELECT 1 FROM \(unescaped: t.jobs) WHERE claimed_by = n.id AND status = 'PENDING')
                """, logger: logger).collect()
        }
        return try await takenOver(sorted)
    }

    public func info(of jobID: String) async throws -> JobInfo? {
        guard var info = try await PostgresJobRecords(store: store).get(jobID)?.info else { return nil }
        // A fenced commit stored the operations and the document views with the job's end: readable everywhere.
        if info.status == .writeReady { info.status = .readReady }
        return info
    }

    public func leave() async {
        state.withLock { $0.registered = false }
        do {
            try await store.read { c in
                _ = try await c.query("DELETE FROM \(unescaped: t.nodes) WHERE id = \(nodeID)", logger: logger).collect()
            }
        } catch {
            logger.warning("cannot unregister the node (others take over its jobs after the node timeout)", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes finished job records past the retention.
    func deleteOldRecords() async throws {
        let cutoff = Clock.nowMilliseconds() - Self.milliseconds(configuration.finishedJobRetention)
        try await store.read { c in
            _ = try await c.query("DELETE FROM \(unescaped: t.jobs) WHERE status <> 'PENDING' AND updated_at < \(cutoff)", logger: logger).collect()
        }
    }

    /// Decodes claimed rows (id, document, branch, payload, dependencies, created, previous owner, seq), in order.
    private func takenOver(_ rows: [PostgresRow]) async throws -> [TakenOverJob] {
        var out: [TakenOverJob] = []
        var dependencyIDs = Set<String>()
        for row in rows {
            let (id, documentID, branch, payloadText, dependsText, createdAt, owner, _) =
                try row.decode((String, String, String, String?, String, Int64, String?, Int64).self)
            guard let payloadText else { continue }
            let (payload, dependsOn) = try StoredRecord.decode("job payload") {
                (try JSONValueCoder.decode(Job.Payload.self, from: JSONValueCoder.parse(payloadText)),
                 try JSONValueCoder.decode([String].self, from: JSONValueCoder.parse(dependsText)))
            }
            dependencyIDs.formUnion(dependsOn)
            let job = Job(id: id, documentID: documentID, branch: branch, payload: payload, dependsOn: dependsOn, createdAt: createdAt)
            out.append(TakenOverJob(job: job, previousOwner: owner ?? ""))
        }
        if !dependencyIDs.isEmpty {
            let ids = Array(dependencyIDs)
            let failed = try await store.read { c in
                try await c.query("SELECT id FROM \(unescaped: t.jobs) WHERE id = ANY(\(ids)::text[]) AND status = 'FAILED'", logger: logger)
                    .collect().map { try $0.decode(String.self) }
            }
            let failedSet = Set(failed)
            for i in out.indices { out[i].failedDependency = out[i].job.dependsOn.first { failedSet.contains($0) } }
        }
        state.withLock { s in for t in out { s.mayWait.insert(t.job.id) } }
        return out
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
