import Hummingbird
import Logging
import ReactorCore
import ReactorEngine
import ServiceLifecycle
import UnixSignals

/// Runs the unified server: one `ServiceGroup` holding the backends that need running (a PostgreSQL pool), the
/// reactor, sync (``ServerDependencies/sync``) and the HTTP application.
///
/// Shutdown (SIGTERM/SIGINT, or cancellation) goes in reverse order: the HTTP server stops accepting connections and
/// finishes in-flight requests (subscription streams end), then sync stops its remotes, then the reactor drains the
/// accepted jobs, then the backends close. The reactor's drain deadline (`reactor.shutdown_drain_seconds`) counts from the signal
/// (``ShutdownClockService``): jobs not finished by then fail with `SHUTDOWN_DEADLINE`, so the process exits within
/// that time plus what jobs already committing need.
public enum ServerRuntime {
    /// Runs until a shutdown signal or cancellation.
    /// - Parameters:
    ///   - backends: services that must run before and during the reactor (e.g. a database pool).
    ///   - handleSignals: whether SIGTERM and SIGINT start a graceful shutdown (tests that embed the server say no).
    ///   - onRunning: called with the bound port once the server listens.
    ///   - prepare: runs once the backends run and before the reactor starts and the server listens (migrations).
    public static func run(
        _ deps: ServerDependencies, host: String, port: Int, backends: [any Service] = [], logger: Logger,
        prepare: (@Sendable () async throws -> Void)? = nil,
        handleSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        deps.metrics.observe(deps.reactor)
        if let ai = deps.ai { deps.metrics.observe(ai.meter) }
        let (prepared, preparedContinuation) = AsyncStream<Void>.makeStream()
        let (syncPrepared, syncPreparedContinuation) = AsyncStream<Void>.makeStream()
        let reactorService = PreparedService(service: deps.reactor) {
            try await prepare?()
            preparedContinuation.finish()
            syncPreparedContinuation.finish()
        }
        // Sync starts once the store is migrated (and the configured remotes are in it); it stops before the reactor
        // drains, so no merge job is submitted to a draining reactor.
        let syncServices: [ServiceGroupConfiguration.ServiceConfiguration] = deps.sync.map { sync in
            [.init(service: WaitingService(service: sync, gate: syncPrepared), successTerminationBehavior: .gracefullyShutdownGroup)]
        } ?? []
        let app = ReactorHTTPServer.application(deps, host: host, port: port, logger: logger, beforeStart: {
            for await _ in prepared {}
            try Task.checkCancellation()
        }, onRunning: onRunning)
        let group = ServiceGroup(configuration: .init(
            services: backends.map { .init(service: $0) } + [
                .init(service: reactorService, successTerminationBehavior: .gracefullyShutdownGroup),
            ] + syncServices + [
                .init(service: ShutdownClockService(service: app, reactor: deps.reactor), successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: handleSignals ? [UnixSignal.sigterm, .sigint] : [],
            logger: logger
        ))
        try await group.run()
    }
}

/// Runs `prepare` (migrations), then the wrapped service.
struct PreparedService: Service {
    let service: any Service
    let prepare: @Sendable () async throws -> Void

    func run() async throws {
        try await prepare()
        try await service.run()
    }
}

/// Runs the wrapped service once `gate` finishes (ends without running when cancelled or shut down first).
struct WaitingService: Service {
    let service: any Service
    let gate: AsyncStream<Void>

    func run() async throws {
        let gate = self.gate
        try await cancelWhenGracefulShutdown {
            for await _ in gate {}
            try Task.checkCancellation()
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        try await service.run()
    }
}
