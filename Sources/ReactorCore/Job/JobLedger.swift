/// Records a reactor's jobs where every node of a cluster sees them, so that several reactor nodes share one store
/// safely.
///
/// With a ledger, a reactor:
/// - records every accepted job (durably) before it is queued, owned by this node, in one cluster-wide order;
/// - runs a job only when every earlier job of the same document has finished, whichever node accepted it
///   (``waitForTurn(_:)``), and commits it with a ``JobFence``, so a document's jobs never commit concurrently or out
///   of order across nodes;
/// - calls ``heartbeat()`` periodically: this keeps the node alive and hands it the unfinished jobs of nodes that
///   stopped heartbeating (killed, partitioned), which it then runs. The fence makes sure a presumed-dead node that
///   comes back cannot also complete them.
///
/// A single process needs no ledger. `PostgresJobLedger` is the implementation for several nodes on PostgreSQL.
public protocol JobLedger: Sendable {
    /// This node's id (unique in the cluster).
    var nodeID: String { get }
    /// How often the reactor calls ``heartbeat()``.
    var heartbeatInterval: Duration { get }

    /// Registers this node; called once when the reactor starts. Returns the unfinished jobs this node id owned
    /// before (a node restarted under the same id resumes them), oldest first.
    func join() async throws -> [TakenOverJob]
    /// Records new jobs as pending and owned by this node. They are durable when this returns.
    func record(_ jobs: [Job]) async throws
    /// Returns once no earlier job of `job`'s document is unfinished on any node (woken by ``othersAnnounced()``, and
    /// polling as a safety net; the reactor calls it before
    /// running a job that another node's job may precede, and after a commit failed with `DOCUMENT_BUSY`). Throws
    /// `DOCUMENT_BUSY` when `timeout` passes first.
    func waitForTurn(_ job: Job, timeout: Duration) async throws
    /// Whether an earlier job of another node was unfinished on `job`'s document when `job` was recorded.
    func mayWait(_ job: Job) -> Bool
    /// Records the end of a job that did not commit through a fence (it failed, or had nothing to write). Ignored when
    /// another node owns the job.
    func finish(_ job: Job, info: JobInfo) async throws
    /// Keeps this node alive and, with `takeOver`, takes over the unfinished jobs of nodes that stopped heartbeating
    /// and returns them, oldest first.
    func heartbeat(takeOver: Bool) async throws -> [TakenOverJob]
    /// A job's recorded info, whichever node ran it; nil when unknown.
    func info(of jobID: String) async throws -> JobInfo?
    /// Unregisters this node (a graceful stop, once its accepted jobs are done).
    func leave() async
    /// Another node announced a commit or a job's end (a commit notice): jobs waiting in ``waitForTurn(_:timeout:)``
    /// check their turn again at once.
    func othersAnnounced()
    /// Whether other nodes' announcements reach this node (its notice subscription is listening). While they do,
    /// ``waitForTurn(_:timeout:)`` relies on them and checks by itself only seldom, as a safety net.
    func announcementsArrive(_ arrive: Bool)
}

extension JobLedger {
    /// Nothing to wake: a ledger that only polls.
    public func othersAnnounced() {}
    /// Nothing to change: a ledger that only polls.
    public func announcementsArrive(_ arrive: Bool) {}
}

/// A job handed to this node by ``JobLedger/heartbeat()``.
public struct TakenOverJob: Sendable {
    /// The job, as it was recorded.
    public var job: Job
    /// A dependency of the job that failed, if one did (the job then fails with `DEPENDENCY_FAILED`).
    public var failedDependency: String?
    /// The node that accepted it.
    public var previousOwner: String

    public init(job: Job, failedDependency: String? = nil, previousOwner: String) {
        self.job = job
        self.failedDependency = failedDependency
        self.previousOwner = previousOwner
    }
}

extension Job.Payload: Codable {
    private enum CodingKeys: String, CodingKey { case actions, operations, sync }
    private struct SyncPayload: Codable {
        var origin: String
        var operations: [SyncOperation]
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let actions = try c.decodeIfPresent([Action].self, forKey: .actions) {
            self = .actions(actions)
        } else if let sync = try c.decodeIfPresent(SyncPayload.self, forKey: .sync) {
            self = .sync(origin: sync.origin, operations: sync.operations)
        } else {
            self = .operations(try c.decode([Operation].self, forKey: .operations))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .actions(let actions): try c.encode(actions, forKey: .actions)
        case .operations(let operations): try c.encode(operations, forKey: .operations)
        case .sync(let origin, let operations): try c.encode(SyncPayload(origin: origin, operations: operations), forKey: .sync)
        }
    }
}
