import ReactorAI
import ReactorCore
import ReactorFunctions
import ReactorEngine
import ReactorIdentity
import ReactorVault

/// Limits and timeouts of the HTTP API.
public struct ServerOptions: Sendable {
    /// The largest request body accepted (larger bodies get 413).
    public var maxBodyBytes: Int
    /// How long `?wait=true` waits for a job before answering `JOB_TIMEOUT` (504).
    public var waitTimeout: Duration
    /// How long a read given a consistency token waits before `CONSISTENCY_TIMEOUT` (504).
    public var consistencyTimeout: Duration
    /// How often an idle subscription stream sends a heartbeat (SSE comment, WebSocket ping message).
    public var heartbeatInterval: Duration
    /// The most changes that may wait for one subscription stream (`server.subscription_buffer`); past it the stream
    /// ends with an overflow event and the client resumes from its last position.
    public var subscriptionBuffer: Int
    /// The largest envelope body a peer may push (`sync.max_envelope_bytes`); larger gets 413.
    public var maxSyncEnvelopeBytes: Int
    /// The largest object one upload may store (`storage.max_object_bytes`); larger gets 413.
    public var maxObjectBytes: Int

    public init(
        maxBodyBytes: Int = 1 << 20, waitTimeout: Duration = .seconds(30), consistencyTimeout: Duration = .seconds(5),
        heartbeatInterval: Duration = .seconds(15), subscriptionBuffer: Int = SubscriptionManager.defaultBufferLimit,
        maxSyncEnvelopeBytes: Int = 32 << 20, maxObjectBytes: Int = 5 << 30
    ) {
        self.maxObjectBytes = maxObjectBytes
        self.maxSyncEnvelopeBytes = maxSyncEnvelopeBytes
        self.maxBodyBytes = maxBodyBytes
        self.waitTimeout = waitTimeout
        self.consistencyTimeout = consistencyTimeout
        self.heartbeatInterval = heartbeatInterval
        self.subscriptionBuffer = subscriptionBuffer
    }
}

/// One check of `/_admin/doctor` and `reactor doctor`.
public struct DoctorCheck: Sendable, Hashable, Codable {
    /// Short name (`store`, `vault`, `data_dir`, …).
    public var name: String
    /// Whether the check passed.
    public var ok: Bool
    /// What was found, or what is wrong and how to fix it.
    public var detail: String

    public init(name: String, ok: Bool, detail: String) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}

/// What the admin endpoints need from the process that runs the server.
public struct AdminHooks: Sendable {
    /// `/_admin/version`.
    public var version: JSONValue
    /// `/_admin/doctor`: runs every check.
    public var doctor: @Sendable () async -> [DoctorCheck]
    /// `/_admin/migrate`: brings the store's schema up to date and says what it did.
    public var migrate: @Sendable () async throws -> JSONValue
    /// The local admin token `/_admin` accepts from loopback peers (``AdminAuthMiddleware``); nil when
    /// `server.admin_token_file = "none"`, and then only admin bearer tokens of `[auth]` open `/_admin`.
    public var localToken: AdminToken?

    public init(
        version: JSONValue = .object(["version": .string(ReactorVersion.current)]),
        doctor: @escaping @Sendable () async -> [DoctorCheck] = { [] },
        migrate: @escaping @Sendable () async throws -> JSONValue = { .object(["migrated": .bool(true)]) },
        localToken: AdminToken? = nil
    ) {
        self.version = version
        self.doctor = doctor
        self.migrate = migrate
        self.localToken = localToken
    }
}

/// Everything the routes use. Capabilities are protocols (`any AuthClient`, `any Vault`), never concrete adapters.
public struct ServerDependencies: Sendable {
    public var reactor: Reactor
    /// Sync with other reactors (`/reactor/v1/sync…`); nil when the store keeps no sync records (the sync routes then
    /// answer `UNSUPPORTED`).
    public var sync: SyncManager?
    /// When set, every `/reactor/v1` call needs a valid bearer token, and one with the `admin` role opens `/_admin`
    /// (which always needs a credential, see ``AdminHooks/localToken``).
    public var auth: (any AuthClient)?
    /// The secrets vault behind `/_admin/vault`; nil when the vault is disabled.
    public var vault: (any Vault)?
    public var metrics: ServerMetrics
    public var admin: AdminHooks
    public var options: ServerOptions
    /// The `Host` names and web origins the server accepts (`server.allowed_hosts`, `server.allowed_origins`).
    public var requestGuard: RequestGuardConfiguration
    /// The limits and timeouts of client connections (`server.max_connections`, the header-read and idle timeouts,
    /// the head and URL sizes, the shutdown deadline).
    public var connections: ConnectionLimits
    /// Identity (issue 14): the identity service behind `/auth/v1`; nil when `auth.service` is off (the routes then
    /// answer 404).
    public var identity: IdentityService?
    /// The blob store behind `/storage/v1`; nil when storage is off (the routes are then not registered).
    public var blobs: (any BlobStore)?
    /// Whether document permissions are enforced (`auth.document_permissions`, only with auth on): each request then
    /// reaches documents as its token's ``Principal`` through ``AuthorizedReactor``; otherwise as
    /// ``Principal/unrestricted``.
    public var documentPermissions: Bool
    /// Functions (issue 15): deploy, versions and invocation; nil when `[functions]` is off (the routes answer 404
    /// `FUNCTIONS_DISABLED`).
    public var functions: FunctionService?
    /// Document models as WASM modules (issue 15): the models registered at run time behind `/reactor/v1/models`
    /// (also the reactor's model loader); nil when the `WASM` trait is compiled out (registering then answers
    /// `UNSUPPORTED`).
    public var models: (any ModelCatalog)?
    /// The AI gateway (issue 16) behind `/ai/v1`; nil when `[ai]` is off (the routes answer 404 `AI_DISABLED`).
    public var ai: AIGateway?

    public init(
        reactor: Reactor, sync: SyncManager? = nil, auth: (any AuthClient)? = nil, vault: (any Vault)? = nil, metrics: ServerMetrics = ServerMetrics(),
        admin: AdminHooks = AdminHooks(), options: ServerOptions = ServerOptions(),
        requestGuard: RequestGuardConfiguration = RequestGuardConfiguration(),
        connections: ConnectionLimits = ConnectionLimits(), identity: IdentityService? = nil, blobs: (any BlobStore)? = nil,
        documentPermissions: Bool? = nil, functions: FunctionService? = nil, models: (any ModelCatalog)? = nil,
        ai: AIGateway? = nil
    ) {
        self.ai = ai
        self.functions = functions
        self.models = models
        self.documentPermissions = auth != nil && (documentPermissions ?? true)
        self.identity = identity
        self.blobs = blobs
        self.reactor = reactor
        self.sync = sync
        self.auth = auth
        self.vault = vault
        self.metrics = metrics
        self.admin = admin
        self.options = options
        self.requestGuard = requestGuard
        self.connections = connections
    }
}

extension ServerDependencies {
    /// The principal a request acts as: its token's bearer, anonymous without one, or unrestricted when document
    /// permissions are off.
    func principal(_ context: ReactorRequestContext) -> Principal {
        guard documentPermissions else { return .unrestricted }
        return context.claims.map(Principal.init(claims:)) ?? .anonymous
    }

    /// The documents as the request's principal may use them (the one place permissions are enforced).
    func documents(_ context: ReactorRequestContext) -> AuthorizedReactor {
        AuthorizedReactor(reactor: reactor, principal: principal(context))
    }
}

/// The version of this build.
public enum ReactorVersion {
    /// Semantic version of the server and CLI.
    public static let current = "0.2.0"
    /// The HTTP API version (the `/reactor/v1` prefix).
    public static let api = "v1"
}
