import Foundation
import Logging
import NIOCore
import ReactorConfig
import ReactorCore
import ReactorIdentity
import ReactorEngine
import ReactorFunctions
import ReactorMemory
import ReactorModels
import ReactorSQLite
import ReactorVault
import ServiceLifecycle

/// A server built from a ``ReactorConfiguration`` and ready to run.
public struct BootedServer: Sendable {
    /// The configuration with every `env:`/`vault:` reference resolved.
    public let configuration: ReactorConfiguration
    /// What the routes use.
    public let deps: ServerDependencies
    /// The store the reactor writes to.
    public let store: any ReactorStore
    /// Backends that must run beside the reactor (a database pool).
    public let backends: [any Service]
    /// Lines describing where everything is (printed by `reactor serve`).
    public let summary: [String]

    /// Runs until SIGTERM/SIGINT (or cancellation), then drains and closes the store.
    public func run(logger: Logger, handleSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        do {
            let store = self.store
            let migrate = configuration.store.migrate == .auto
            let backend = configuration.store.backend.rawValue
            let sync = deps.sync
            let remotes = configuration.sync.remotes
            try await ServerRuntime.run(deps, host: configuration.server.bind.host, port: configuration.server.bind.port,
                                        backends: backends, logger: logger,
                                        prepare: {
                                            if migrate {
                                                try await store.migrate()
                                            } else {
                                                let pending = try await store.pendingMigrations()
                                                guard pending.isEmpty else {
                                                    throw ReactorError(
                                                        .schemaNotMigrated,
                                                        "the \(backend) store needs migrations (\(pending.joined(separator: ", "))) and store.migrate = \"manual\": run `reactor migrate` first",
                                                        details: ["key": "store.migrate"])
                                                }
                                            }
                                            // Document models (issue 15): [[models.modules]] once the schema is there.
                                            for line in try await ModelFactory.registerConfigured(configuration, catalog: deps.models, reactor: deps.reactor) {
                                                logger.info("models: \(line)")
                                            }
                                            // [[sync.remotes]] once the schema is there, before the remotes start.
                                            if let sync, !remotes.isEmpty {
                                                for line in try await SyncBoot.upsert(remotes, into: sync) {
                                                    logger.info("sync: configured remote \(line)")
                                                }
                                            }
                                        },
                                        handleSignals: handleSignals, onRunning: onRunning)
        } catch {
            try? await store.close()
            throw Self.describe(error, bind: configuration.server.bind.description)
        }
        try await store.close()
    }

    /// A ``ReactorError`` for why the server stopped: reactor errors as they are, a bind failure as
    /// `ADDRESS_UNAVAILABLE` naming `server.bind`, anything else as `INTERNAL` with the underlying error.
    static func describe(_ error: any Error, bind: String) -> ReactorError {
        if let error = error as? ReactorError { return error }
        if let io = error as? IOError, io.description.contains("bind") {
            let why = switch io.errnoCode {
            case EADDRINUSE: "another process is listening there"
            case EACCES: "this user may not bind it (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: "no network interface of this machine has that address"
            default: io.description
            }
            return ReactorError(.addressUnavailable, "cannot listen on \(bind) (server.bind): \(why)",
                                details: ["key": "server.bind", "bind": bind])
        }
        if error is SocketAddressError {
            return ReactorError(.addressUnavailable, "cannot listen on \(bind) (server.bind): the host name does not resolve",
                                details: ["key": "server.bind", "bind": bind])
        }
        return ReactorError(.internal, "the server stopped: \(error)")
    }
}

/// Builds every part of the server from the configuration: the vault first (other keys may be `vault:` references),
/// then the store, auth and the reactor. Capabilities are chosen here, by configuration, and handed to the routes as
/// protocols.
public enum ServerBootstrap {
    /// Boots from an unresolved configuration.
    public static func boot(_ configuration: ReactorConfiguration, environment: [String: String], logger: Logger) async throws -> BootedServer {
        let vault = try openVault(configuration, environment: environment)
        let resolved = try await configuration.resolved(environment: environment, vault: vault)
        return try await boot(resolved: resolved, vault: vault, environment: environment, logger: logger)
    }

    /// Boots from a configuration already resolved with `vault` (as ``openVault(_:environment:)`` opened it; nil when
    /// the vault is disabled). `environment` and `vault` resolve the `env:`/`vault:` tokens of sync remotes, each time
    /// a remote connects.
    public static func boot(
        resolved: ReactorConfiguration, vault: (any Vault)?, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) async throws -> BootedServer {
        try createDataDirectory(resolved)
        let adminToken = try loadAdminToken(resolved)
        let (store, storeBackends, storeSummary) = try await openStore(resolved, logger: logger)
        var backends = storeBackends
        do {
            // Identity (issue 14): with auth.service on, the identity service verifies tokens in process.
            let identity = try await IdentityFactory.make(resolved, store: store, vault: vault)
            let auth: (any AuthClient)? = if let identity { InProcessAuthClient(service: identity) } else { try await AuthFactory.make(resolved.auth) }
            let ledger = try PostgresBackend.ledger(for: store, resolved, logger: logger)
            let (blobs, blobSummary) = try await BlobStoreFactory.open(resolved, vault: vault)
            // Functions (issue 15): document-event triggers are a processor of the reactor, whose actions go back
            // to the reactor once it is built.
            let functions = try FunctionsFactory.make(
                resolved, store: store, blobs: blobs, resolver: SecretResolver(environment: environment, vault: vault), logger: logger)
            let triggerSink = FunctionActionSink()
            // AI gateway (issue 16): its usage meter runs beside the backends, and stops (writing what is left)
            // before the store closes.
            let ai = try await AIFactory.make(resolved, store: store, resolver: SecretResolver(environment: environment, vault: vault))
            if let ai { backends.append(ai) }
            // Document models as WASM modules (issue 15): registered ones are loaded on demand, on every node.
            let modelCatalog = ModelFactory.catalog(resolved, store: store, blobs: blobs, builtInTypes: Set(BuiltInModels.all.map(\.documentType)))
            var builder = ReactorBuilder()
                .withDocumentModels(BuiltInModels.all)
                .withStore(store)
                .withExecutorConfig(ExecutorConfig(maxConcurrency: resolved.reactor.maxConcurrency,
                                                   jobTimeout: .milliseconds(Int64(resolved.reactor.jobTimeoutSeconds * 1000)),
                                                   shutdownDrainTimeout: .milliseconds(Int64(resolved.reactor.shutdownDrainSeconds * 1000)),
                                                   maxJobsPerCommit: resolved.reactor.maxJobsPerCommit))
                .withAdmissionLimits(AdmissionLimits(
                    maxPendingJobs: resolved.reactor.maxPendingJobs, maxPendingBytes: resolved.reactor.maxPendingBytes,
                    maxPendingJobsPerDocument: resolved.reactor.maxPendingJobsPerDocument,
                    maxPendingBytesPerDocument: resolved.reactor.maxPendingBytesPerDocument))
                .withKeyframeConfig(KeyframeConfig(interval: resolved.reactor.keyframeInterval))
                .withSignatureVerifier(CryptoSignatureVerifier(
                    mode: resolved.signing.mode,
                    trustedPublicKeys: resolved.signing.trustedKeys.isEmpty ? nil : Set(resolved.signing.trustedKeys)))
                .withHistoryConfig(HistoryConfig(maxReplayOperations: resolved.reactor.maxHistoryReplayOperations))
                // Migrations run when the server starts, once backends (a PostgreSQL pool) are running.
                .withMigrationStrategy(.none)
                .withLogger(logger)
                .withSync(resolved.sync.engineConfig)
                .withSyncChannels(HTTPSyncChannel.factory(config: resolved.sync.engineConfig,
                                                          resolver: SecretResolver(environment: environment, vault: vault)))
            if let modelCatalog { builder = builder.withDocumentModelLoader(modelCatalog) }
            if let ledger {
                builder = builder.withJobLedger(ledger)
                // The other nodes' commits are read as soon as they are announced, not at the next poll.
                if let notices = try PostgresBackend.commitNotices(for: store, logger: logger) {
                    builder = builder.withCommitNotices(notices.pubSub, channel: notices.channel)
                    backends.append(notices.service)
                }
            }
            if let election = try PostgresBackend.leaderElection(for: store, logger: logger) { builder = builder.withLeaderElection(election) }
            if let functions { builder = builder.withProcessor(FunctionTriggerProcessor(service: functions, sink: triggerSink, logger: logger)) }
            let module = try await builder.buildModule()
            let reactor = module.reactor
            triggerSink.connect { documentID, branch, actions in
                let job = try await reactor.execute(documentID, branch: branch, actions: actions)
                _ = try await reactor.waitForJob(job.id)
            }
            if module.sync == nil, !resolved.sync.remotes.isEmpty {
                throw ReactorError(.configInvalid,
                                   "sync.remotes: the \(resolved.store.backend.rawValue) store keeps no sync records, so this server cannot sync",
                                   details: ["key": "sync.remotes"])
            }
            let options = ServerOptions(maxBodyBytes: resolved.server.maxBodyBytes,
                                        consistencyTimeout: .milliseconds(Int64(resolved.reactor.consistencyTimeoutSeconds * 1000)),
                                        subscriptionBuffer: resolved.server.subscriptionBuffer,
                                        maxSyncEnvelopeBytes: resolved.sync.maxEnvelopeBytes,
                                        maxObjectBytes: resolved.storage.maxObjectBytes)
            let admin = AdminHooks(
                version: .object(["version": .string(ReactorVersion.current), "api": .string(ReactorVersion.api),
                                  "store": .string(resolved.store.backend.rawValue),
                                  "traits": .array(CompiledTraits.enabled.map { .string($0) })]),
                doctor: { await Doctor.checks(resolved, store: store, vault: vault) },
                migrate: {
                    let pending = try await store.pendingMigrations()
                    try await store.migrate()
                    return .object(["migrated": true, "store": .string(resolved.store.backend.rawValue),
                                    "applied": .array(pending.map { .string($0) })])
                },
                localToken: adminToken)
            let deps = ServerDependencies(reactor: reactor, sync: module.sync, auth: auth, vault: vault, admin: admin, options: options,
                                          requestGuard: RequestGuardConfiguration(resolved.server),
                                          connections: ConnectionLimits(resolved.server), identity: identity, blobs: blobs,
                                          documentPermissions: resolved.auth.documentPermissions, functions: functions, models: modelCatalog, ai: ai)
            var summary = ["store: \(storeSummary)"]
            if let ledger { summary.append("cluster node: \(ledger.nodeID) (jobs shared with every node on this database)") }
            summary.append("vault: " + vaultSummary(resolved))
            summary.append("blobs: \(blobSummary), /storage/v1")
            summary.append("functions: " + (functions.map { "/functions/v1 (runtimes: \($0.runtimeNames.joined(separator: ", ")); deploy with reactor functions deploy)" }
                ?? "off"))
            summary.append("models: " + (modelCatalog == nil ? "built-in only (the WASM trait is compiled out)"
                : "built-in and WASM (/reactor/v1/models; \(resolved.models.modules.count) in the configuration)"))
            summary.append("ai: " + (ai.map { "/ai/v1 (\($0.providers.count) provider(s), \($0.aliases.count) alias(es))" } ?? "off"))
            summary.append("auth: " + (auth == nil ? "disabled (every API call is allowed)"
                : deps.documentPermissions ? "bearer tokens required, document permissions enforced" : "bearer tokens required"))
            summary.append("admin: " + adminSummary(resolved, auth: auth != nil))
            if identity != nil {
                summary.append("identity: /auth/v1 (sign-up \(resolved.auth.signup ? "open" : "closed"), signing keys in the vault)")
            }
            summary.append(deps.requestGuard.summary(bindHost: resolved.server.bind.host))
            summary.append("sync: " + (module.sync == nil
                ? "unavailable (the \(resolved.store.backend.rawValue) store keeps no sync records)"
                : "on (/reactor/v1/sync; \(resolved.sync.remotes.count) remote(s) in the configuration)"))
            return BootedServer(configuration: resolved, deps: deps, store: store, backends: backends, summary: summary)
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The local admin token (read, or created at first start, from `server.admin_token_file`); nil when it is
    /// `"none"`. Its value is never logged or printed here.
    public static func loadAdminToken(_ resolved: ReactorConfiguration) throws -> AdminToken? {
        guard let file = resolved.adminTokenFile else { return nil }
        return try AdminToken.loadOrCreate(file: URL(fileURLWithPath: file))
    }

    /// How `/_admin` is opened, for the boot summary (the token file's path, never its content).
    static func adminSummary(_ resolved: ReactorConfiguration, auth: Bool) -> String {
        var ways: [String] = []
        if let file = resolved.adminTokenFile { ways.append("the local token in \(file) (from this machine)") }
        if auth { ways.append("bearer tokens with the 'admin' role") }
        return ways.isEmpty ? "closed (server.admin_token_file = \"none\" and auth disabled)" : "/_admin needs " + ways.joined(separator: " or ")
    }

    /// The vault line of the boot summary (never the token).
    static func vaultSummary(_ resolved: ReactorConfiguration) -> String {
        switch resolved.vault.backend {
        case .file: resolved.vaultPath
        case .openbao: "openbao \(resolved.vault.address) (mount \(resolved.vault.mount)"
            + (resolved.vault.namespace.isEmpty ? ")" : ", namespace \(resolved.vault.namespace))")
        case .none: "disabled"
        }
    }

    /// The vault named by `[vault]` (nil when `backend = "none"`), with its key checked. An OpenBao vault is not
    /// contacted here: its first use (resolving `vault:` references) finds an unreachable server.
    public static func openVault(_ configuration: ReactorConfiguration, environment: [String: String]) throws -> (any Vault)? {
        let setup = try configuration.vaultSetup(environment: environment)
        if setup.backend == .openbao { return try OpenBaoBackend.open(setup) }
        guard setup.backend == .file else { return nil }
        // The default vault and key files live in the data directory: make it first, with a message naming the key.
        try createDirectories([setup.dataDir])
        let key = try setup.key.map { try VaultKey(parsing: $0) } ?? VaultKey.loadOrCreate(file: URL(fileURLWithPath: setup.keyFile))
        let vault = FileVault(file: URL(fileURLWithPath: setup.file), key: key)
        try vault.verify()
        return vault
    }

    /// The store named by `[store]`, the services it needs running, and a one-line description.
    public static func openStore(_ resolved: ReactorConfiguration, logger: Logger) async throws -> (any ReactorStore, [any Service], String) {
        switch resolved.store.backend {
        case .memory:
            return (InMemoryStore(), [], "in memory (nothing is kept after exit)")
        case .sqlite:
            let durability: SQLiteStoreConfiguration.Durability = resolved.store.durability == .full ? .full : .normal
            let store = try SQLiteStore(path: resolved.storePath, configuration: SQLiteStoreConfiguration(durability: durability))
            return (store, [], "sqlite \(resolved.storePath)")
        case .postgres:
            return try await PostgresBackend.open(resolved, logger: logger)
        }
    }

    static func createDataDirectory(_ resolved: ReactorConfiguration) throws {
        try createDirectories([resolved.server.dataDir, resolved.blobsPath])
    }

    static func createDirectories(_ directories: [String]) throws {
        for directory in directories {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ReactorError(.configInvalid, "server.data_dir: cannot create '\(directory)': \(error.localizedDescription)",
                                   details: ["key": "server.data_dir"])
            }
        }
    }
}
