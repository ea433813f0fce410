import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorRemote
import ReactorSQLite
import ReactorServer
import ReactorTesting
import ReactorVault
import Testing

/// Sync timings for tests: retries from 50 ms, never more than 1 s apart.
let testSyncConfig = SyncConfig(pageSize: 100, longPoll: .seconds(2), retryBase: .milliseconds(50), maxBackoff: .seconds(1),
                                requestTimeout: .seconds(5))

/// The local admin token of the test servers: the remote clients send it, which opens the sync remotes' routes.
let adminToken = AdminToken.generate()

/// Reconnection after 10 ms, at most 100 ms apart, 200 attempts at most: a test never waits long for it.
let quickReconnect = ReconnectPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(100), maxAttempts: 200)

/// A fresh reactor (the built-in models, `store` or memory) with sync and the conformance suite's unreachable
/// remote.
func makeModule(store: (any ReactorStore)? = nil) async throws -> ReactorModule {
    // Quiet: the unreachable remote would log every retry.
    var builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withSync(testSyncConfig)
        .withLogger(Logger(label: "client-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        .withSyncChannels(HTTPSyncChannel.factory(config: testSyncConfig, resolver: SecretResolver(environment: [:], vault: nil)))
    if let store { builder = builder.withStore(store) }
    return try await builder.buildModule()
}

/// Adds the remote ``DocumentClientConformance/unreachableRemote`` (pushing to a port where nothing listens).
func addUnreachableRemote(_ module: ReactorModule) async throws {
    try await module.sync?.add(SyncRemote(name: DocumentClientConformance.unreachableRemote,
                                          channel: SyncChannelConfig(url: "http://127.0.0.1:\(LoopbackPort.closed)")))
}

/// Runs `body` with an in-process ``ReactorClient`` of a running fresh reactor.
func withInProcessClient(store: (any ReactorStore)? = nil, _ body: @escaping @Sendable (any DocumentClient) async throws -> Void) async throws {
    let module = try await makeModule(store: store)
    try await module.withRunning {
        try await addUnreachableRemote(module)
        try await body(ReactorClient(module: module))
    }
}

/// A server running on loopback for a test.
struct RunningServer: Sendable {
    let port: Int
    let module: ReactorModule
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var reactor: Reactor { module.reactor }

    /// A remote client of this server (the admin token as its bearer token, unless `token` is given).
    func client(token: String? = adminToken.secretText, reconnect: ReconnectPolicy = quickReconnect) -> RemoteReactorClient {
        RemoteReactorClient(RemoteClientConfiguration(baseURL: baseURL, token: token, reconnect: reconnect))
    }
}

/// Runs `body` with the HTTP server (`ServerRuntime`, as `reactor serve` runs it) of a fresh reactor on `port` (0: a
/// free one) of loopback, then stops the server and waits until it has stopped.
func withServer<T: Sendable>(
    store: (any ReactorStore)? = nil, port: Int = 0, auth: (any AuthClient)? = nil, options: ServerOptions = ServerOptions(heartbeatInterval: .milliseconds(200)),
    _ body: (RunningServer) async throws -> T
) async throws -> T {
    let module = try await makeModule(store: store)
    let deps = ServerDependencies(reactor: module.reactor, sync: module.sync, auth: auth,
                                  admin: AdminHooks(localToken: adminToken), options: options)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            do {
                try await ServerRuntime.run(deps, host: "127.0.0.1", port: port, logger: Logger(label: "client-test"), handleSignals: false) {
                    portContinuation.yield($0)
                }
            } catch is CancellationError {
                // Stopped by the test.
            }
        }
        var iterator = ports.makeAsyncIterator()
        let bound = try #require(await iterator.next())
        let result: T
        do {
            result = try await body(RunningServer(port: bound, module: module))
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}

/// A throwaway SQLite file.
func temporarySQLitePath() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-client-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("reactor.sqlite").path
}
