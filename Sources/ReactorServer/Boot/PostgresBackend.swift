import Logging
import ReactorConfig
import ReactorCore
import ServiceLifecycle

#if Postgres
import ReactorPostgres

/// Opens the PostgreSQL store named by `store.url`; its connection pool runs as a service of the server's group.
enum PostgresBackend {
    static func open(_ resolved: ReactorConfiguration, logger: Logger) async throws -> (any ReactorStore, [any Service], String) {
        let configuration = try PostgresStoreConfiguration(
            url: resolved.store.url, caFile: resolved.store.caFile.isEmpty ? nil : resolved.store.caFile)
        let store = try PostgresStore(configuration: configuration, logger: logger)
        let where_ = "postgres \(configuration.username)@\(configuration.host):\(configuration.port)/\(configuration.database)"
            + " (schema \(configuration.schema), sslmode \(configuration.tls.rawValue)\(configuration.caFile.map { ", CA file \($0)" } ?? ""))"
        return (store, [PostgresStoreService(store: store)], where_)
    }

    /// The job ledger that makes the server one node of a cluster, when the store is PostgreSQL.
    static func ledger(for store: any ReactorStore, _ resolved: ReactorConfiguration, logger: Logger) throws -> PostgresJobLedger? {
        guard let store = store as? PostgresStore else { return nil }
        let reactor = resolved.reactor
        let configuration = PostgresJobLedgerConfiguration(
            nodeID: reactor.nodeID.isEmpty ? PostgresJobLedgerConfiguration.generatedNodeID() : reactor.nodeID,
            heartbeatInterval: .milliseconds(Int64(reactor.heartbeatSeconds * 1000)),
            nodeTimeout: .milliseconds(Int64(reactor.nodeTimeoutSeconds * 1000)))
        return try PostgresJobLedger(store: store, configuration: configuration, logger: logger)
    }
}

extension PostgresBackend {
    /// The leader election that runs each processor on one node of the cluster, when the store is PostgreSQL.
    static func leaderElection(for store: any ReactorStore, logger: Logger) throws -> PostgresLeaderElection? {
        guard let store = store as? PostgresStore else { return nil }
        // Advisory locks span the database: the schema keeps deployments that share one database apart.
        return try PostgresLeaderElection(
            client: store.client, configuration: .init(namespace: "reactor.leader:\(store.configuration.schema)"), logger: logger)
    }
}

extension PostgresBackend {
    /// The commit notices of the cluster (LISTEN/NOTIFY on the store's database, one channel per schema), with the
    /// service that keeps their listening connection, when the store is PostgreSQL. Notices are a node id, always sent
    /// inline, so the pub/sub's `pubsub_payloads` table is never needed.
    static func commitNotices(for store: any ReactorStore, logger: Logger) throws -> (pubSub: PostgresPubSub, channel: String, service: any Service)? {
        guard let store = store as? PostgresStore else { return nil }
        let pubSub = try PostgresPubSub(
            client: store.client, configuration: .init(schema: store.configuration.schema, applicationName: "reactor-commit-notices"),
            logger: logger)
        return (pubSub, "reactor.commits:\(store.configuration.schema)", PostgresPubSubService(pubSub: pubSub))
    }
}

/// Runs a ``PostgresPubSub``'s listener inside a `ServiceGroup`, until the group shuts down (the listener itself
/// only stops when cancelled).
struct PostgresPubSubService: Service {
    let pubSub: PostgresPubSub
    func run() async throws {
        try await cancelWhenGracefulShutdown { try await pubSub.run() }
    }
}

/// Runs a ``PostgresStore``'s pool and writer inside a `ServiceGroup`.
struct PostgresStoreService: Service {
    let store: PostgresStore
    func run() async throws { try await store.run() }
}
#else

/// Built without the `Postgres` trait: a PostgreSQL configuration stops the boot with a message naming the trait.
enum PostgresBackend {
    static func open(_ resolved: ReactorConfiguration, logger: Logger) async throws -> (any ReactorStore, [any Service], String) {
        throw CompiledTraits.missing("Postgres", key: "store.backend", value: "postgres")
    }

    static func ledger(for store: any ReactorStore, _ resolved: ReactorConfiguration, logger: Logger) throws -> (any JobLedger)? { nil }

    static func leaderElection(for store: any ReactorStore, logger: Logger) throws -> (any LeaderElection)? { nil }

    static func commitNotices(for store: any ReactorStore, logger: Logger) throws -> (pubSub: any PubSub, channel: String, service: any Service)? { nil }
}
#endif
