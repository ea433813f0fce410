import Logging
import ReactorCore
import ReactorMemory

/// How the store's schema is brought up to date when the reactor is built.
public enum MigrationStrategy: Sendable, Hashable {
    /// Run migrations while building (the default).
    case auto
    /// Leave the schema alone (run `reactor migrate` yourself).
    case none
}

/// Wires a reactor. Every part has a default and can be replaced:
/// in-memory store, in-memory queue, in-process event bus, 4 concurrent jobs, 30 s job timeout, 1,000-document
/// write cache with a 10-entry ring buffer, a keyframe every 1,000 operations, at most 100,000 operations replayed by
/// one undo, redo or prune, signatures verified when present.
public struct ReactorBuilder: Sendable {
    public private(set) var registry = ModelRegistry()
    public private(set) var store: (any ReactorStore)?
    public private(set) var queue: (any JobQueue)?
    public private(set) var eventBus: (any EventBus)?
    public private(set) var executorConfig = ExecutorConfig()
    public private(set) var admissionLimits = AdmissionLimits()
    public private(set) var writeCacheConfig = WriteCacheConfig()
    public private(set) var keyframeConfig = KeyframeConfig()
    public private(set) var historyConfig = HistoryConfig()
    public private(set) var syncConfig = SyncConfig()
    /// Makes the channel of each sync remote; nil: only `inprocess:` remotes of ``syncNetwork``.
    public private(set) var syncChannels: SyncManager.ChannelFactory?
    /// The reactors of this process that sync with `inprocess:` urls.
    public private(set) var syncNetwork: InProcessSyncNetwork?
    /// The name this reactor is reachable by in ``syncNetwork``.
    public private(set) var syncNetworkName: String?
    public private(set) var readModels: [any ReadModel] = []
    public private(set) var processors: [any Processor] = []
    public private(set) var verifier: any SignatureVerifier = CryptoSignatureVerifier()
    public private(set) var signer: (any Signer)?
    public private(set) var modelLoader: (any DocumentModelLoader)?
    public private(set) var migrationStrategy = MigrationStrategy.auto
    public private(set) var logger = Logger(label: "reactor")
    public private(set) var retainedFinishedJobs = 100_000
    public private(set) var ledger: (any JobLedger)?
    public private(set) var clusterConfig = ClusterConfig()
    public private(set) var leaderElection: (any LeaderElection)?
    public private(set) var commitNotices: (pubSub: any PubSub, channel: String)?

    public init() {}

    /// Registers document models.
    public func withDocumentModels(_ models: [any DocumentModel]) -> Self { with { for m in models { $0.registry.register(m) } } }
    /// Registers upgrade manifests (model version migrations).
    public func withUpgradeManifests(_ manifests: [UpgradeManifest]) -> Self { with { for m in manifests { $0.registry.register(m) } } }
    /// Uses `store` (in-memory by default).
    public func withStore(_ store: any ReactorStore) -> Self { with { $0.store = store } }
    /// Uses `queue` (in-memory by default).
    public func withQueue(_ queue: any JobQueue) -> Self { with { $0.queue = queue } }
    /// Uses `eventBus` (in-process by default).
    public func withEventBus(_ eventBus: any EventBus) -> Self { with { $0.eventBus = eventBus } }
    /// Sets the executor's concurrency, timeout and retries.
    public func withExecutorConfig(_ config: ExecutorConfig) -> Self { with { $0.executorConfig = config } }
    /// How much pending work the reactor admits before it refuses submissions (``AdmissionLimits``).
    public func withAdmissionLimits(_ limits: AdmissionLimits) -> Self { with { $0.admissionLimits = limits } }
    /// Sets the write cache's size.
    public func withWriteCacheConfig(_ config: WriteCacheConfig) -> Self { with { $0.writeCacheConfig = config } }
    /// Sets how often keyframes are stored.
    public func withKeyframeConfig(_ config: KeyframeConfig) -> Self { with { $0.keyframeConfig = config } }
    /// Sets the limits of undo, redo and prune (at most 100,000 operations replayed by default).
    public func withHistoryConfig(_ config: HistoryConfig) -> Self { with { $0.historyConfig = config } }
    /// Sync's limits and timings (``SyncConfig``); remotes are managed by the module's ``ReactorModule/sync``.
    public func withSync(_ config: SyncConfig) -> Self { with { $0.syncConfig = config } }
    /// How sync reaches remotes (the seed's `withChannelScheme`): the factory gets each remote and returns its channel;
    /// remotes with `inprocess:` urls use the in-process network when one is set.
    public func withSyncChannels(_ factory: @escaping SyncManager.ChannelFactory) -> Self { with { $0.syncChannels = factory } }
    /// Attaches this reactor to an in-process sync network as `name` (peers reach it as `inprocess:<name>`).
    public func withSyncNetwork(_ network: InProcessSyncNetwork, name: String) -> Self {
        with {
            $0.syncNetwork = network
            $0.syncNetworkName = name
        }
    }
    /// Adds a read model (runs before `READ_READY`).
    public func withReadModel(_ readModel: any ReadModel) -> Self { with { $0.readModels.append(readModel) } }
    /// Adds a processor (runs after `READ_READY`, with a persisted cursor).
    public func withProcessor(_ processor: any Processor) -> Self { with { $0.processors.append(processor) } }
    /// Checks the signatures of every submitted action with `verifier` (default: `CryptoSignatureVerifier()`, which
    /// accepts unsigned actions and refuses any signature that does not verify).
    public func withSignatureVerifier(_ verifier: any SignatureVerifier) -> Self { with { $0.verifier = verifier } }
    /// Signs every action submitted without an explicit signer with `signer`.
    public func withSigner(_ signer: any Signer) -> Self { with { $0.signer = signer } }
    /// Finds models that were not registered.
    public func withDocumentModelLoader(_ loader: any DocumentModelLoader) -> Self { with { $0.modelLoader = loader } }
    /// Chooses whether building runs the store's migrations.
    public func withMigrationStrategy(_ strategy: MigrationStrategy) -> Self { with { $0.migrationStrategy = strategy } }
    /// Sets the logger.
    public func withLogger(_ logger: Logger) -> Self { with { $0.logger = logger } }
    /// Runs the reactor as one node of a cluster sharing the store: jobs are recorded in `ledger` (which orders each
    /// document's jobs across nodes and hands over the jobs of stopped nodes), and the reactor follows what the other
    /// nodes write (see ``ClusterConfig``).
    public func withJobLedger(_ ledger: any JobLedger, cluster: ClusterConfig = ClusterConfig()) -> Self {
        with {
            $0.ledger = ledger
            $0.clusterConfig = cluster
        }
    }
    /// With a job ledger: announces every commit of this node on `channel` of `pubSub`, and reads the operation feed
    /// as soon as another node announces one, instead of every ``ClusterConfig/followInterval`` (it still reads it
    /// every ``ClusterConfig/notifiedFollowInterval``, in case a notice was lost). Every node of the cluster must use
    /// the same pub/sub and channel. Without a ledger it has no effect.
    public func withCommitNotices(_ pubSub: any PubSub, channel: String = "reactor.commits") -> Self {
        with { $0.commitNotices = (pubSub, channel) }
    }
    /// Runs each processor on one node at a time: a node feeds processor `name` only while it holds the leadership
    /// `processor:<name>` of `election` (another node takes over, from the shared cursor, when the holder stops or
    /// loses its connection). Without it every reactor on the store runs every processor.
    public func withLeaderElection(_ election: any LeaderElection) -> Self { with { $0.leaderElection = election } }
    /// Sets how many finished jobs stay queryable by id.
    public func withRetainedFinishedJobs(_ count: Int) -> Self { with { $0.retainedFinishedJobs = max(1, count) } }

    private func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    /// Builds the reactor (running migrations first with `.auto`). Start it with `run()`.
    public func build() async throws -> Reactor {
        try await buildModule().reactor
    }

    /// Builds the reactor and returns it with its internals.
    public func buildModule() async throws -> ReactorModule {
        let store = self.store ?? InMemoryStore()
        if migrationStrategy == .auto { try await store.migrate() }
        let reactor = Reactor(
            store: store, queue: queue ?? InMemoryJobQueue(), eventBus: eventBus ?? InProcessEventBus(),
            models: ModelResolver(registry: registry, loader: modelLoader), verifier: verifier, signer: signer, readModels: readModels,
            processors: processors, executorConfig: executorConfig, admissionLimits: admissionLimits, writeCacheConfig: writeCacheConfig,
            keyframeConfig: keyframeConfig, historyConfig: historyConfig, logger: logger, jobTracker: JobTracker(retainedFinishedJobs: retainedFinishedJobs),
            ledger: ledger, clusterConfig: clusterConfig, leaderElection: leaderElection,
            commitNotices: ledger.flatMap { ledger in
                commitNotices.map { CommitNotices(pubSub: $0.pubSub, channel: $0.channel, nodeID: ledger.nodeID, ledger: ledger) }
            }, syncConfig: syncConfig)
        var sync: SyncManager?
        if let records = store as? any SyncRecordStore {
            let network = syncNetwork
            let factory = syncChannels
            let manager = SyncManager(reactor: reactor, store: SyncStore(records), config: syncConfig, election: leaderElection) { remote in
                if let network, let channel = network.channel(for: remote) { return channel }
                guard let factory else {
                    throw ReactorError(.unsupported, "no sync channel for '\(remote.channel.url)'", details: ["remote": remote.name])
                }
                return try await factory(remote)
            }
            if let network, let name = syncNetworkName { network.attach(name, manager.server) }
            sync = manager
        }
        return ReactorModule(reactor: reactor, sync: sync)
    }

    /// Builds the module, runs the reactor while `body` runs, then kills it and waits for in-flight jobs.
    public func withReactor<T: Sendable>(_ body: @Sendable (ReactorModule) async throws -> T) async throws -> T {
        let module = try await buildModule()
        return try await module.withRunning { try await body(module) }
    }
}

/// A reactor with its internals, for tools and tests.
public struct ReactorModule: Sendable {
    public let reactor: Reactor
    /// Sync with other reactors (nil when the store keeps no sync records).
    public let sync: SyncManager?

    public init(reactor: Reactor, sync: SyncManager? = nil) {
        self.reactor = reactor
        self.sync = sync
    }
    public var store: any ReactorStore { reactor.store }
    public var operationStore: any OperationStore { reactor.store }
    public var keyframeStore: any KeyframeStore { reactor.store }
    public var documentView: any DocumentViewStore { reactor.store }
    public var eventBus: any EventBus { reactor.eventBus }
    public var queue: any JobQueue { reactor.queue }
    public var jobTracker: JobTracker { reactor.jobTracker }
    public var writeCache: WriteCache { reactor.writeCache }
    public var consistencyTracker: ConsistencyTracker { reactor.consistency }
    public var readModelCoordinator: ReadModelCoordinator { reactor.readModels }
    public var processorManager: ProcessorManager { reactor.processorManager }
    public var subscriptionManager: SubscriptionManager { reactor.subscriptions }
    public var models: ModelResolver { reactor.models }
    public var documentIndexer: DocumentIndexer { reactor.documentIndexer }
    public var executorConfig: ExecutorConfig { reactor.executorConfig }
    public var ledger: (any JobLedger)? { reactor.ledger }

    /// Runs the reactor while `body` runs; then kills it and waits until in-flight jobs are done.
    public func withRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reactor.run() }
            if let sync { group.addTask { try await sync.run() } }
            do {
                let result = try await body()
                sync?.finish()
                await reactor.kill().completed()
                try await group.waitForAll()
                return result
            } catch {
                sync?.finish()
                await reactor.kill().completed()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
