import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ReactorConfig
import ReactorCore
import ReactorIdentity
import ReactorEngine
import ServiceLifecycle

/// Builds the HTTP side of the unified server: the router with every route and middleware, and the Hummingbird
/// application (HTTP/1.1 with WebSocket upgrade).
public enum ReactorHTTPServer {
    /// The router with every route, for a server listening on `bindHost` (which decides the `Host` check, see
    /// ``RequestGuardConfiguration``).
    ///
    /// Order of middleware: metrics (outermost, sees the final status); the `Host` check (421, answered before
    /// anything else); CORS (sees every final response, errors included); errors → JSON; the `Origin` check (403);
    /// JSON bodies only (415; object uploads under `/storage/v1` are exempt); then per-group auth: `/reactor/v1` with `[auth]` on, `/_admin` and
    /// `/reactor/v1/sync/remotes…` always (``AdminAuthMiddleware``: the local admin token from a loopback peer, or an
    /// admin bearer token).
    public static func router(_ deps: ServerDependencies, bindHost: String = "127.0.0.1") -> Router<ReactorRequestContext> {
        let router = Router(context: ReactorRequestContext.self)
        let origins = deps.requestGuard.originPolicy
        router.add(middleware: MetricsMiddleware(metrics: deps.metrics))
        router.add(middleware: HostCheckMiddleware(policy: deps.requestGuard.hostPolicy(bindHost: bindHost)))
        router.add(middleware: CORSPolicyMiddleware(policy: origins))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: OriginCheckMiddleware(policy: origins))
        router.add(middleware: JSONBodyMiddleware())
        SystemRoutes(deps: deps).registerPublic(on: router)
        ConsoleRoutes().register(on: router)

        let api = router.group("reactor/v1")
        if let auth = deps.auth { api.add(middleware: AuthMiddleware(auth: auth, anonymousDocumentReads: deps.documentPermissions)) }
        DocumentRoutes(deps: deps).register(on: api)
        SubscriptionRoutes(deps: deps).register(on: api)
        AuthRoutes(deps: deps).register(on: api)
        SyncRoutes(deps: deps).register(on: api)

        // Remotes make this server connect elsewhere with stored credentials: guarded like /_admin.
        let syncAdmin = router.group("reactor/v1/sync")
        syncAdmin.add(middleware: AdminAuthMiddleware(auth: deps.auth, localToken: deps.admin.localToken))
        SyncRoutes(deps: deps).registerRemotes(on: syncAdmin)

        // Identity (issue 14): /auth/v1, when the identity service runs here.
        if let identity = deps.identity {
            IdentityRoutes(service: identity, auth: deps.auth ?? InProcessAuthClient(service: identity), limit: deps.options.maxBodyBytes)
                .register(on: router)
        }

        if let blobs = deps.blobs {
            // Reads of public buckets and signed URLs need no token: a token, when sent, is still verified.
            let storage = router.group("storage/v1")
            if let auth = deps.auth { storage.add(middleware: OptionalAuthMiddleware(auth: auth)) }
            StorageRoutes(deps: deps, store: blobs).register(on: storage)
        }

        // Functions (issue 15): invocations take a token when auth is on (public functions answer without one).
        let functions = router.group("functions/v1")
        if let auth = deps.auth { functions.add(middleware: OptionalAuthMiddleware(auth: auth)) }
        FunctionRoutes(deps: deps).registerInvocation(on: functions)
        // Document models (issue 15): reading is an API call, registering an admin one.
        ModelRoutes(deps: deps).register(on: api)
        let modelAdmin = router.group("reactor/v1")
        modelAdmin.add(middleware: AdminAuthMiddleware(auth: deps.auth, localToken: deps.admin.localToken))
        ModelRoutes(deps: deps).registerAdmin(on: modelAdmin)

        // AI gateway (issue 16): OpenAI-compatible, behind [auth] like the document API.
        let ai = router.group("ai/v1")
        if let auth = deps.auth { ai.add(middleware: AuthMiddleware(auth: auth)) }
        AIRoutes(deps: deps).register(on: ai)

        let admin = router.group("_admin")
        admin.add(middleware: AdminAuthMiddleware(auth: deps.auth, localToken: deps.admin.localToken))
        SystemRoutes(deps: deps).registerAdmin(on: admin)
        VaultRoutes(deps: deps).register(on: admin)
        FunctionRoutes(deps: deps).registerAdmin(on: admin)
        return router
    }

    /// The router that answers WebSocket upgrade requests, with the same `Host`, `Origin` and token checks as
    /// ``router(_:bindHost:)``. An upgrade it refuses is not upgraded, and its answer (status and JSON
    /// error body, as from every other route) is recorded in `refusals` for the connection to write.
    static func webSocketRouter(
        _ deps: ServerDependencies, bindHost: String = "127.0.0.1", refusals: WebSocketRefusals
    ) -> Router<ReactorRequestContext> {
        let router = Router(context: ReactorRequestContext.self)
        router.add(middleware: WebSocketRefusalMiddleware(refusals: refusals))
        router.add(middleware: HostCheckMiddleware(policy: deps.requestGuard.hostPolicy(bindHost: bindHost)))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: OriginCheckMiddleware(policy: deps.requestGuard.originPolicy))
        if let auth = deps.auth { router.add(middleware: AuthMiddleware(auth: auth)) }
        SubscriptionRoutes(deps: deps).registerWebSocket(on: router)
        return router
    }

    /// The HTTP server listening on `host:port` (port 0 picks a free port; `onRunning` gets the real one): the
    /// Hummingbird application (HTTP/1.1 with WebSocket upgrade) with the connection limits of `deps.connections`
    /// (see ``ConnectionGuard``) and their shutdown deadline (see ``HTTPServerService``).
    /// `beforeStart` runs before the server listens (the runtime waits there until the store is migrated).
    public static func application(
        _ deps: ServerDependencies, host: String, port: Int, logger: Logger,
        beforeStart: (@Sendable () async throws -> Void)? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let limits = deps.connections
        let registry = ConnectionRegistry(limit: limits.maxConnections)
        let refusals = WebSocketRefusals()
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [WebSocketRefusalWriter(refusals: refusals)], idleTimeout: TimeAmount(limits.idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes))
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1)
        let webSocketResponder = webSocketRouter(deps, bindHost: host, refusals: refusals).buildResponder()
        var app = Application(
            router: router(deps, bindHost: host),
            server: HTTPServerBuilder { responder in
                GuardedChildChannel(
                    inner: HTTP1WebSocketUpgradeChannel(
                        responder: responder, webSocketResponder: webSocketResponder, configuration: channelConfiguration),
                    limits: limits, registry: registry)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Reactor/\(ReactorVersion.current)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
        if let beforeStart { app.beforeServerStarts(perform: beforeStart) }
        return HTTPServerService(application: app, registry: registry, limits: limits, logger: logger)
    }

    /// Whether the host name `host` (a bind address) names the loopback interface: `localhost`, `127.0.0.0/8` or
    /// `::1` parsed as an address (see ``HostName/isLoopback(_:)``). Callers are judged by their peer address instead
    /// (``ReactorRequestContext/isFromLoopback``).
    public static func isLoopback(_ host: String) -> Bool {
        HostName.isLoopback(HostName.normalized(host) ?? host)
    }
}
