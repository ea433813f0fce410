import ReactorCore

extension ReactorConfiguration {
    /// `[server]`: the HTTP listener and where data lives.
    public struct ServerSection: Sendable, Equatable {
        /// `bind`: the address to listen on (`127.0.0.1:8000`; IPv6 as `[::1]:8000`).
        public var bind: BindAddress
        /// `data_dir`: the directory of the default SQLite file, vault file, vault key and blobs (`.reactor`).
        public var dataDir: String
        /// `max_body_bytes`: the largest request body accepted (1 MiB).
        public var maxBodyBytes: Int
        /// `allowed_hosts`: host names or IP addresses (no port) accepted in a request's `Host` header besides
        /// `localhost`, `127.0.0.1`, `::1` and the bind host (empty). Bound to every interface (`0.0.0.0`, `::`),
        /// the server checks `Host` only when this is set.
        public var allowedHosts: [String]
        /// `allowed_origins`: origins `scheme://host[:port]` that browser pages may call the server from, with CORS
        /// (empty: only the server's own origin). `"*"` allows every origin.
        public var allowedOrigins: [String]
        /// `subscription_buffer`: the most changes that may wait for one live subscription (SSE or WebSocket) before
        /// its stream ends with an overflow event (10,000; 1…1,000,000).
        public var subscriptionBuffer: Int
        /// `admin_token_file`: the file holding the local admin token that `/_admin` accepts from this machine,
        /// created (mode 0600) with a fresh token at first start; empty means `<data_dir>/admin.token`, `"none"`
        /// disables the local token (see ``ReactorConfiguration/adminTokenFile``).
        public var adminTokenFile: String
        /// `max_connections`: how many connections may be open at once; one more is answered 503
        /// `TOO_MANY_CONNECTIONS` and closed (1024).
        public var maxConnections: Int
        /// `header_read_timeout_seconds`: how long a request head (request line and headers) may take to arrive,
        /// counted from the connection's start or the request's first byte; then 408 and close (10).
        public var headerReadTimeoutSeconds: Double
        /// `idle_timeout_seconds`: how long a keep-alive connection may wait for its next request, or a request body
        /// for its next bytes, before it is closed (60).
        public var idleTimeoutSeconds: Double
        /// `max_header_bytes`: the largest request head (URL and header fields); larger is 431 (32 KiB).
        public var maxHeaderBytes: Int
        /// `max_url_bytes`: the longest request target (path and query); longer is 414 (8 KiB).
        public var maxURLBytes: Int
        /// `shutdown_timeout_seconds`: how long a graceful shutdown waits for open connections (requests in flight,
        /// streams) before it closes them (10).
        public var shutdownTimeoutSeconds: Double

        /// The `[server]` section with the given values.
        public init(
            bind: BindAddress = BindAddress(host: "127.0.0.1", port: 8000), dataDir: String = ".reactor",
            maxBodyBytes: Int = 1_048_576, allowedHosts: [String] = [], allowedOrigins: [String] = [],
            subscriptionBuffer: Int = 10_000, adminTokenFile: String = "",
            maxConnections: Int = 1024, headerReadTimeoutSeconds: Double = 10, idleTimeoutSeconds: Double = 60,
            maxHeaderBytes: Int = 32_768, maxURLBytes: Int = 8192, shutdownTimeoutSeconds: Double = 10
        ) {
            self.bind = bind
            self.dataDir = dataDir
            self.maxBodyBytes = maxBodyBytes
            self.allowedHosts = allowedHosts
            self.allowedOrigins = allowedOrigins
            self.subscriptionBuffer = subscriptionBuffer
            self.adminTokenFile = adminTokenFile
            self.maxConnections = maxConnections
            self.headerReadTimeoutSeconds = headerReadTimeoutSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxHeaderBytes = maxHeaderBytes
            self.maxURLBytes = maxURLBytes
            self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
        }
    }

    /// `[store]`: the document store.
    public struct StoreSection: Sendable, Equatable {
        /// `backend`: which store (`sqlite`).
        public var backend: StoreBackend
        /// `path`: the SQLite file; empty means `<data_dir>/reactor.sqlite` (see ``ReactorConfiguration/storePath``).
        public var path: String
        /// `url`: the PostgreSQL URL (`postgres://…` or `postgresql://…`), required when `backend` is `postgres`.
        public var url: String
        /// `durability`: `normal` or `full` (fsync on every commit).
        public var durability: Durability
        /// `migrate`: `auto` (migrate at boot) or `manual` (`reactor migrate`).
        public var migrate: MigrateMode
        /// `ca_file`: a PEM file of the CA certificates the PostgreSQL server's certificate must chain to with
        /// `sslmode=verify-full` (the default for a remote host) or `verify-ca`; empty trusts the system's roots. A
        /// `sslrootcert` in `url` takes precedence.
        public var caFile: String

        /// The `[store]` section with the given values.
        public init(
            backend: StoreBackend = .sqlite, path: String = "", url: String = "", durability: Durability = .normal,
            migrate: MigrateMode = .auto, caFile: String = ""
        ) {
            self.backend = backend
            self.path = path
            self.url = url
            self.durability = durability
            self.migrate = migrate
            self.caFile = caFile
        }
    }

    /// `[reactor]`: the engine.
    public struct ReactorSection: Sendable, Equatable {
        /// `max_concurrency`: how many jobs run at once (8; 1…1024).
        public var maxConcurrency: Int
        /// `job_timeout_seconds`: how long a job may run (30; > 0).
        public var jobTimeoutSeconds: Double
        /// `keyframe_interval`: operations between keyframes (100; ≥ 1).
        public var keyframeInterval: Int
        /// `consistency_timeout_seconds`: how long a read waits for its consistency token (5; > 0).
        public var consistencyTimeoutSeconds: Double
        /// `node_id`: this node's id in a cluster on PostgreSQL ("" = a new id on every start).
        public var nodeID: String
        /// `heartbeat_seconds`: how often a node of a cluster heartbeats (1; > 0).
        public var heartbeatSeconds: Double
        /// `node_timeout_seconds`: after how long without a heartbeat a node's jobs are taken over (10; ≥ 2 heartbeats).
        public var nodeTimeoutSeconds: Double
        /// `max_pending_jobs`: jobs accepted and not finished, across documents, before writes are refused with 503
        /// `OVERLOADED` (10,000; ≥ 1).
        public var maxPendingJobs: Int
        /// `max_pending_bytes`: payload bytes of those jobs before writes are refused with 503 `OVERLOADED`
        /// (134,217,728 = 128 MiB; ≥ `max_pending_bytes_per_document`).
        public var maxPendingBytes: Int
        /// `max_pending_jobs_per_document`: pending jobs of one document before its writes are refused with 429
        /// `TOO_MANY_PENDING_JOBS` (1,000; 1…`max_pending_jobs`).
        public var maxPendingJobsPerDocument: Int
        /// `max_pending_bytes_per_document`: payload bytes of one document's pending jobs before its writes are refused
        /// with 429 `TOO_MANY_PENDING_JOBS` (33,554,432 = 32 MiB; ≥ `server.max_body_bytes`).
        public var maxPendingBytesPerDocument: Int
        /// `shutdown_drain_seconds`: how long a shutdown waits for accepted jobs before it fails the rest with
        /// `SHUTDOWN_DEADLINE` (30; ≥ 0).
        public var shutdownDrainSeconds: Double
        /// `max_history_replay_operations`: the most operations one undo, redo or prune may replay (100,000; ≥ 1).
        public var maxHistoryReplayOperations: Int
        /// `max_jobs_per_commit`: the most queued jobs of one document committed together (1 = each alone, the
        /// default; 1…1024; not used in a cluster; 16 measured 2.1–2.7x faster on SQLite). See `ExecutorConfig.maxJobsPerCommit`.
        public var maxJobsPerCommit: Int

        /// The `[reactor]` section with the given values.
        public init(
            maxConcurrency: Int = 8, jobTimeoutSeconds: Double = 30, keyframeInterval: Int = 100,
            consistencyTimeoutSeconds: Double = 5, nodeID: String = "", heartbeatSeconds: Double = 1, nodeTimeoutSeconds: Double = 10,
            maxPendingJobs: Int = 10_000, maxPendingBytes: Int = 128 << 20, maxPendingJobsPerDocument: Int = 1_000,
            maxPendingBytesPerDocument: Int = 32 << 20, shutdownDrainSeconds: Double = 30,
            maxHistoryReplayOperations: Int = 100_000, maxJobsPerCommit: Int = 1
        ) {
            self.maxJobsPerCommit = maxJobsPerCommit
            self.maxHistoryReplayOperations = maxHistoryReplayOperations
            self.maxConcurrency = maxConcurrency
            self.jobTimeoutSeconds = jobTimeoutSeconds
            self.keyframeInterval = keyframeInterval
            self.consistencyTimeoutSeconds = consistencyTimeoutSeconds
            self.nodeID = nodeID
            self.heartbeatSeconds = heartbeatSeconds
            self.nodeTimeoutSeconds = nodeTimeoutSeconds
            self.maxPendingJobs = maxPendingJobs
            self.maxPendingBytes = maxPendingBytes
            self.maxPendingJobsPerDocument = maxPendingJobsPerDocument
            self.maxPendingBytesPerDocument = maxPendingBytesPerDocument
            self.shutdownDrainSeconds = shutdownDrainSeconds
        }
    }

    /// `[vault]`: the secrets vault. No value in this section may be a `vault:` reference.
    public struct VaultSection: Sendable, Equatable {
        /// `backend`: `file` (the embedded encrypted file), `openbao` (an OpenBao/Vault KV v2 server) or `none`.
        public var backend: VaultBackend
        /// `path`: the vault file; empty means `<data_dir>/vault.enc` (see ``ReactorConfiguration/vaultPath``).
        public var path: String
        /// `key`: the master key (64 hex characters or base64 of 32 bytes), usually `env:NAME`; empty means read
        /// (or create) ``keyFile``.
        public var key: String
        /// `key_file`: the file holding the master key; empty means `<data_dir>/vault.key`
        /// (see ``ReactorConfiguration/vaultKeyFile``).
        public var keyFile: String
        /// `address`: the OpenBao/Vault server's URL (`backend = "openbao"`), e.g. `https://bao.internal:8200`.
        public var address: String
        /// `token`: the OpenBao/Vault token, usually `env:NAME` (`backend = "openbao"`).
        public var token: String
        /// `mount`: the path of the KV version 2 engine (`secret`).
        public var mount: String
        /// `namespace`: sent as `X-Vault-Namespace`; empty sends none.
        public var namespace: String
        /// `timeout_seconds`: how long one request to the server may take (10).
        public var timeoutSeconds: Double

        /// The `[vault]` section with the given values.
        public init(
            backend: VaultBackend = .file, path: String = "", key: String = "", keyFile: String = "", address: String = "",
            token: String = "", mount: String = "secret", namespace: String = "", timeoutSeconds: Double = 10
        ) {
            self.backend = backend
            self.path = path
            self.key = key
            self.keyFile = keyFile
            self.address = address
            self.token = token
            self.mount = mount
            self.namespace = namespace
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// `[auth]`: bearer-token verification.
    public struct AuthSection: Sendable, Equatable {
        /// `enabled`: whether requests need a bearer token (false).
        public var enabled: Bool
        /// `issuer`: the required `iss` claim; empty accepts any.
        public var issuer: String
        /// `audience`: the required `aud` claim; empty accepts any.
        public var audience: String
        /// `hmac_secret`: the HS256 secret (at least 32 bytes once resolved); usually `env:` or `vault:`.
        public var hmacSecret: String
        /// `public_keys`: PEM public keys (RS256, ES256, EdDSA).
        public var publicKeys: [String]
        /// `jwks_url`: a JWKS endpoint (`http://` or `https://`).
        public var jwksURL: String
        /// `jwks_file`: a JWKS document on disk.
        public var jwksFile: String
        /// `remote_url`: a remote verifier (`http://` or `https://`).
        public var remoteURL: String
        /// `leeway_seconds`: clock skew tolerated on `exp`/`nbf` (60; ≥ 0).
        public var leewaySeconds: Int
        // Identity (issue 14).
        /// `service`: run the identity service (`/auth/v1`); turns auth on (false).
        public var service: Bool = false
        /// `signup`: whether anyone may sign up (true).
        public var signup: Bool = true
        /// `document_permissions`: whether document grants are enforced when auth is on (true).
        public var documentPermissions: Bool = true
        /// `access_token_ttl_seconds`: access token lifetime (900).
        public var accessTokenTTLSeconds: Int = 900
        /// `refresh_token_ttl_seconds`: refresh token lifetime (2592000, 30 days).
        public var refreshTokenTTLSeconds: Int = 2_592_000
        /// `scrypt_log_n`: log2 of scrypt's N (15).
        public var scryptLogN: Int = 15
        /// `scrypt_r`: scrypt's block size (8).
        public var scryptR: Int = 8
        /// `scrypt_p`: scrypt's parallelism (1).
        public var scryptP: Int = 1
        /// `login_attempts_per_account`: failed logins per account and window (5).
        public var loginAttemptsPerAccount: Int = 5
        /// `login_attempts_per_address`: failed logins per client address and window (50).
        public var loginAttemptsPerAddress: Int = 50
        /// `login_window_seconds`: the login rate limit's window (300).
        public var loginWindowSeconds: Int = 300

        /// The `[auth]` section with the given values.
        public init(
            enabled: Bool = false, issuer: String = "", audience: String = "", hmacSecret: String = "",
            publicKeys: [String] = [], jwksURL: String = "", jwksFile: String = "", remoteURL: String = "",
            leewaySeconds: Int = 60
        ) {
            self.enabled = enabled
            self.issuer = issuer
            self.audience = audience
            self.hmacSecret = hmacSecret
            self.publicKeys = publicKeys
            self.jwksURL = jwksURL
            self.jwksFile = jwksFile
            self.remoteURL = remoteURL
            self.leewaySeconds = leewaySeconds
        }

        /// Whether at least one way to verify tokens is configured (the identity service is one).
        public var hasKeySource: Bool {
            service || !hmacSecret.isEmpty || !publicKeys.isEmpty || !jwksURL.isEmpty || !jwksFile.isEmpty || !remoteURL.isEmpty
        }
    }

    /// `[signing]`: what the server does with the signatures clients put in an action's `context`
    /// (see `docs/signing.md`).
    public struct SigningSection: Sendable, Equatable {
        /// `mode`: `off` (signed actions are refused), `verify-when-present` (the default: unsigned actions are
        /// accepted, every signature must verify) or `required` (every action must be signed).
        public var mode: SigningMode
        /// `trusted_keys`: base64 raw public keys (Ed25519: 32 bytes, P-256: 64 bytes) allowed to sign; empty trusts
        /// any key whose signature verifies.
        public var trustedKeys: [String]

        /// The `[signing]` section with the given values.
        public init(mode: SigningMode = .verifyWhenPresent, trustedKeys: [String] = []) {
            self.mode = mode
            self.trustedKeys = trustedKeys
        }
    }

    /// `[log]`: logging.
    public struct LogSection: Sendable, Equatable {
        /// `level`: the lowest level logged (`info`).
        public var level: LogLevel

        /// The `[log]` section with the given values.
        public init(level: LogLevel = .info) {
            self.level = level
        }
    }
}

// Identity (issue 14).
extension ReactorConfiguration {
    /// The first out-of-range identity setting of `[auth]`, if any (the ranges of `IdentityConfiguration.validate`).
    func identityProblem() -> (key: String, message: String)? {
        let checks: [(String, Int, ClosedRange<Int>)] = [
            ("access_token_ttl_seconds", auth.accessTokenTTLSeconds, 60...86400),
            ("refresh_token_ttl_seconds", auth.refreshTokenTTLSeconds, 300...31_622_400),
            ("scrypt_log_n", auth.scryptLogN, 1...20),
            ("scrypt_r", auth.scryptR, 1...32),
            ("scrypt_p", auth.scryptP, 1...16),
            ("login_attempts_per_account", auth.loginAttemptsPerAccount, 1...1_000_000),
            ("login_attempts_per_address", auth.loginAttemptsPerAddress, 1...1_000_000),
            ("login_window_seconds", auth.loginWindowSeconds, 1...86400),
        ]
        for (key, value, range) in checks where !range.contains(value) {
            return ("auth.\(key)", "must be \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return nil
    }
}
