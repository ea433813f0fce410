extension ConfigKey {
    /// Every key, in file order. This list is the single description of `Reactor.toml`: loading, environment
    /// variables, overrides and the starter file all follow it.
    static var all: [ConfigKey] {
        [
            .bind("server", "bind", \.server.bind, """
                The address to listen on, "host:port". Use "0.0.0.0:8000" to listen on every interface,
                "[::1]:8000" for IPv6.
                """),
            .string("server", "data_dir", \.server.dataDir, references: .environmentOnly, """
                The directory for the default SQLite file, vault file, vault key, admin token and blobs (<data_dir>/blobs).
                Created if missing.
                """),
            .int("server", "max_body_bytes", \.server.maxBodyBytes, """
                The largest request body accepted, in bytes.
                """),
            .strings("server", "allowed_hosts", \.server.allowedHosts, """
                Host names or IP addresses (no port) a request's Host header may name, besides localhost,
                127.0.0.1, [::1] and the bind host; other names are refused (421), against DNS rebinding.
                Bound to every interface ("0.0.0.0:8000"), the Host header is checked only when this is set:
                list the names clients and the load balancer use. /health is answered whatever the Host.
                """),
            .strings("server", "allowed_origins", \.server.allowedOrigins, """
                Origins ("https://app.example.com", "http://localhost:3000") whose web pages may call the
                server: CORS headers for them, 403 ORIGIN_NOT_ALLOWED for any other page's request.
                The server's own origin is always allowed. "*" allows every web page: do not use it with
                auth disabled, since then any site the user visits can read and change the data.
                """),
            .int("server", "subscription_buffer", \.server.subscriptionBuffer, """
                The most changes that may wait for one live subscription (SSE or WebSocket, 1 to 1000000).
                A subscriber that falls further behind gets an "overflow" event and its stream ends; it
                reconnects with Last-Event-ID (or ?after=) and the server replays what it missed.
                """),
            .string("server", "admin_token_file", \.server.adminTokenFile, """
                The local admin token: /_admin answers callers on this machine (by their connection's
                address) that send "Authorization: Bearer <the file's content>", and admin bearer tokens of
                [auth]; every other call is 401. Created with a fresh random token (mode 0600) at first start;
                `reactor token admin` prints it. Empty means <data_dir>/admin.token; "none" disables it.
                """),
            .int("server", "max_connections", \.server.maxConnections, """
                How many client connections may be open at once. One more is answered 503
                TOO_MANY_CONNECTIONS and closed at once. Keep it below the process's open-file limit
                (ulimit -n) minus about 64 for the store and the listener.
                """),
            .double("server", "header_read_timeout_seconds", \.server.headerReadTimeoutSeconds, """
                How long a request head (request line and headers) may take to arrive, from the connection's
                start or the request's first byte. Then 408 REQUEST_TIMEOUT and the connection is closed
                (a connection that sent nothing is closed without an answer).
                """),
            .double("server", "idle_timeout_seconds", \.server.idleTimeoutSeconds, """
                How long a keep-alive connection may wait for its next request, or a request body for its
                next bytes, before it is closed. Streams (SSE, WebSocket) are not idle.
                """),
            .int("server", "max_header_bytes", \.server.maxHeaderBytes, """
                The largest request head (URL and header fields), in bytes; larger is 431 HEADERS_TOO_LARGE.
                """),
            .int("server", "max_url_bytes", \.server.maxURLBytes, """
                The longest request target (path and query), in bytes; longer is 414 URL_TOO_LONG.
                At most max_header_bytes.
                """),
            .double("server", "shutdown_timeout_seconds", \.server.shutdownTimeoutSeconds, """
                On SIGTERM, how long the server waits for open connections (requests in flight, streams) to
                finish before it closes them. Idle and half-sent connections are closed at once.
                """),

            .choice("store", "backend", \.store.backend, """
                The document store: "sqlite" (one file), "memory" (nothing survives a restart) or "postgres".
                """),
            .string("store", "path", \.store.path, """
                The SQLite file. Empty means <data_dir>/reactor.sqlite.
                """),
            .string("store", "url", \.store.url, """
                The PostgreSQL URL (postgres://user:password@host:5432/db), required when backend = "postgres".
                Keep the password out of this file: url = "env:DATABASE_URL" or "vault:store/url".
                TLS: a remote host needs TLS with a verified certificate and host name (sslmode=verify-full);
                loopback (localhost, 127.0.0.1, ::1) is plain by default. ?sslmode=require or prefer encrypt
                without checking the certificate: name them only if you accept that.
                """),
            .choice("store", "durability", \.store.durability, """
                "normal" survives a process crash; "full" also survives power loss (fsync on every commit).
                """),
            .choice("store", "migrate", \.store.migrate, """
                "auto" migrates the store at boot; "manual" leaves it to `reactor migrate`.
                """),
            .string("store", "ca_file", \.store.caFile, """
                A PEM file of the CA certificates the PostgreSQL server's certificate must chain to
                (sslmode=verify-full or verify-ca). Empty means the system's trust store; ?sslrootcert= in url wins.
                """),

            .int("reactor", "max_concurrency", \.reactor.maxConcurrency, """
                How many documents are worked on at the same time (1 to 1024).
                """),
            .int("reactor", "max_jobs_per_commit", \.reactor.maxJobsPerCommit, """
                The most queued jobs of one document committed in one transaction (1 to 1024; 1 = each alone).
                More is faster under many writes to one document; not used in a cluster.
                """),
            .double("reactor", "job_timeout_seconds", \.reactor.jobTimeoutSeconds, """
                How long one job may run before it fails with JOB_TIMEOUT.
                """),
            .int("reactor", "keyframe_interval", \.reactor.keyframeInterval, """
                How many operations of a stream between two stored keyframes (state snapshots).
                """),
            .double("reactor", "consistency_timeout_seconds", \.reactor.consistencyTimeoutSeconds, """
                How long a read with a consistency token waits for the token to be reached.
                """),
            .string("reactor", "node_id", \.reactor.nodeID, """
                With backend = "postgres", several servers on one database form a cluster: this node's id.
                Empty means a new id on every start; a fixed id lets a restarted node resume its own jobs at once.
                """),
            .double("reactor", "heartbeat_seconds", \.reactor.heartbeatSeconds, """
                How often a node of a cluster tells the others it is alive.
                """),
            .double("reactor", "node_timeout_seconds", \.reactor.nodeTimeoutSeconds, """
                After how long without a heartbeat a node is presumed stopped and its unfinished jobs are
                taken over by another node (at least two heartbeats).
                """),
            .int("reactor", "max_pending_jobs", \.reactor.maxPendingJobs, """
                Jobs accepted and not finished yet, across all documents, beyond which writes are refused
                with 503 OVERLOADED and a Retry-After header.
                """),
            .int("reactor", "max_pending_bytes", \.reactor.maxPendingBytes, """
                The payload bytes (about the actions' JSON) of those jobs beyond which writes are refused
                with 503 OVERLOADED. This bounds the memory a flood of writes can take.
                """),
            .int("reactor", "max_pending_jobs_per_document", \.reactor.maxPendingJobsPerDocument, """
                Pending jobs of one document beyond which its writes are refused with 429
                TOO_MANY_PENDING_JOBS and a Retry-After header.
                """),
            .int("reactor", "max_pending_bytes_per_document", \.reactor.maxPendingBytesPerDocument, """
                The payload bytes of one document's pending jobs beyond which its writes are refused with
                429 TOO_MANY_PENDING_JOBS (at least server.max_body_bytes).
                """),
            .double("reactor", "shutdown_drain_seconds", \.reactor.shutdownDrainSeconds, """
                How long a shutdown (SIGTERM) waits for accepted jobs, from the signal. Jobs not finished
                then fail with SHUTDOWN_DEADLINE (recorded and logged); a job already committing finishes.
                """),
            .int("reactor", "max_history_replay_operations", \.reactor.maxHistoryReplayOperations, """
                The most operations one UNDO, REDO or PRUNE may replay (those since the scope's last
                PRUNE from 0 or upgrade). Beyond it the action fails with HISTORY_TOO_LONG: PRUNE the history.
                """),

            .choice("vault", "backend", \.vault.backend, references: .environmentOnly, """
                "file" is the embedded vault (one AES-256-GCM encrypted file); "openbao" an OpenBao or Vault
                server's KV v2 engine (address, token, mount; needs the OpenBao trait); "none" disables vault:
                references.
                """),
            .string("vault", "path", \.vault.path, references: .environmentOnly, """
                The vault file. Empty means <data_dir>/vault.enc.
                """),
            .string("vault", "key", \.vault.key, references: .environmentOnly, """
                The master key: 64 hex characters or base64 of 32 bytes. Prefer key = "env:REACTOR_VAULT_KEY".
                Empty means the key in key_file.
                """),
            .string("vault", "key_file", \.vault.keyFile, references: .environmentOnly, """
                The file holding the master key, created with a fresh key (mode 0600) on first use.
                Empty means <data_dir>/vault.key.
                """),
            .string("vault", "address", \.vault.address, references: .environmentOnly, """
                backend = "openbao": the server's URL, e.g. "https://bao.internal:8200" (without /v1).
                """),
            .string("vault", "token", \.vault.token, references: .environmentOnly, """
                backend = "openbao": the token sent as X-Vault-Token. Give it as token = "env:BAO_TOKEN".
                """),
            .string("vault", "mount", \.vault.mount, references: .environmentOnly, """
                backend = "openbao": the mount path of the KV version 2 engine.
                """),
            .string("vault", "namespace", \.vault.namespace, references: .environmentOnly, """
                backend = "openbao": the namespace sent as X-Vault-Namespace. Empty sends none.
                """),
            .double("vault", "timeout_seconds", \.vault.timeoutSeconds, """
                backend = "openbao": how long one request to the server may take; an unreachable or silent
                server fails with VAULT_UNAVAILABLE after it.
                """),

            .bool("auth", "enabled", \.auth.enabled, """
                Whether requests need a bearer token. When true, set at least one of hmac_secret, public_keys,
                jwks_url, jwks_file or remote_url.
                """),
            .string("auth", "issuer", \.auth.issuer, """
                The required "iss" claim. Empty accepts any issuer.
                """),
            .string("auth", "audience", \.auth.audience, """
                The required "aud" claim. Empty accepts any audience.
                """),
            .string("auth", "hmac_secret", \.auth.hmacSecret, """
                The HS256 secret, at least 32 bytes. Keep it out of this file: "env:NAME" or "vault:auth/hmac".
                """),
            .strings("auth", "public_keys", \.auth.publicKeys, """
                PEM public keys trusted for RS256, ES256 and EdDSA tokens.
                """),
            .string("auth", "jwks_url", \.auth.jwksURL, """
                A JWKS endpoint (https://…/.well-known/jwks.json) to fetch signing keys from.
                """),
            .string("auth", "jwks_file", \.auth.jwksFile, """
                A JWKS document on disk.
                """),
            .string("auth", "remote_url", \.auth.remoteURL, """
                A remote verifier: tokens are checked by calling this URL.
                """),
            .int("auth", "leeway_seconds", \.auth.leewaySeconds, """
                Clock skew tolerated when checking "exp" and "nbf", in seconds.
                """),
            // Identity (issue 14): the identity service.
            .bool("auth", "service", \.auth.service, """
                Run the identity service here: users, password login, access and refresh tokens, API keys,
                under /auth/v1 (docs/identity.md). Turns auth on: every /reactor/v1 call then needs one of
                its tokens or API keys. Its signing keys live in the vault (vault.backend must not be "none").
                The issuer and audience above name its tokens ("reactor" when empty).
                """),
            .bool("auth", "signup", \.auth.signup, """
                Whether anyone may sign up (POST /auth/v1/signup); the first user becomes an admin. When
                false, accounts are made by an admin (POST /auth/v1/users, reactor user create).
                """),
            .bool("auth", "document_permissions", \.auth.documentPermissions, """
                Whether document permissions are enforced when auth is on: each document has a creator who
                administers it and grants (SET_PERMISSION); a caller sees only what it may read
                (docs/security.md). When false, every valid token may read and write every document.
                """),
            .int("auth", "access_token_ttl_seconds", \.auth.accessTokenTTLSeconds, """
                How long an access token (JWT) is valid, 60 to 86400 seconds. It cannot be revoked: keep it short.
                """),
            .int("auth", "refresh_token_ttl_seconds", \.auth.refreshTokenTTLSeconds, """
                How long a refresh token is valid, 300 to 31622400 seconds (each refresh issues a new one).
                """),
            .int("auth", "scrypt_log_n", \.auth.scryptLogN, """
                Password hashing cost: scrypt's N is 2^scrypt_log_n (1 to 20). Memory is 128 * N * r bytes.
                """),
            .int("auth", "scrypt_r", \.auth.scryptR, """
                Password hashing: scrypt's block size r (1 to 32).
                """),
            .int("auth", "scrypt_p", \.auth.scryptP, """
                Password hashing: scrypt's parallelism p (1 to 16).
                """),
            .int("auth", "login_attempts_per_account", \.auth.loginAttemptsPerAccount, """
                Failed logins allowed per account in one login window; then 429 until the window ends.
                """),
            .int("auth", "login_attempts_per_address", \.auth.loginAttemptsPerAddress, """
                Failed logins allowed per client address in one login window; then 429 until the window ends.
                """),
            .int("auth", "login_window_seconds", \.auth.loginWindowSeconds, """
                The login rate limit's window, in seconds (1 to 86400).
                """),

            .choice("signing", "mode", \.signing.mode, """
                What is done with signatures clients put on actions (context.signatures, see docs/signing.md):
                "verify-when-present" accepts unsigned actions and refuses any signature that does not verify;
                "required" refuses unsigned actions too; "off" refuses every signed action.
                """),
            .strings("signing", "trusted_keys", \.signing.trustedKeys, """
                Base64 raw public keys (Ed25519: 32 bytes, P-256: 64 bytes) allowed to sign actions. Empty trusts
                any key whose signature verifies.
                """),

            .choice("log", "level", \.log.level, """
                The lowest level logged: "trace", "debug", "info", "notice", "warning", "error" or "critical".
                """),

            .int("sync", "page_size", \.sync.pageSize, """
                The most operations one envelope (push) or page (pull) carries, 1 to 10000. One job's
                operations are never split, so a large job may exceed it.
                """),
            .int("sync", "max_reshuffle", \.sync.maxReshuffle, """
                The most local operations one merge may move (re-append after a peer's earlier ones) before
                the document is quarantined for that peer with MERGE_TOO_LARGE.
                """),
            .double("sync", "creation_wait_seconds", \.sync.creationWaitSeconds, """
                How long a peer's operations for a document whose creation has not arrived yet wait for it;
                then they go to the dead-letter list as missing operations.
                """),
            .double("sync", "long_poll_seconds", \.sync.longPollSeconds, """
                How long a peer's pull that finds nothing new is held open before an empty answer (the
                answer comes as soon as there is something), more than 0 and at most 300.
                """),
            .int("sync", "retry_base_ms", \.sync.retryBaseMs, """
                The first retry delay after a transient failure (5xx, timeout, refused connection), in
                milliseconds; doubled per failure up to retry_max_seconds, with jitter.
                """),
            .double("sync", "retry_max_seconds", \.sync.retryMaxSeconds, """
                The longest retry delay.
                """),
            .double("sync", "request_timeout_seconds", \.sync.requestTimeoutSeconds, """
                How long one request to a peer may take (a pull may take long_poll_seconds more).
                """),
            .int("sync", "max_envelope_bytes", \.sync.maxEnvelopeBytes, """
                The largest envelope body a peer may push to this server, in bytes (at least 65536);
                larger is 413 PAYLOAD_TOO_LARGE.
                """),
            .int("sync", "max_page_bytes", \.sync.maxPageBytes, """
                About the most bytes of operations this reactor puts in one envelope or page it sends
                (at least 1024; a job is never split); keep it under the peers' max_envelope_bytes.
                """),

            // [storage]
            .choice("storage", "backend", \.storage.backend, """
                Where blobs (files uploaded to /storage/v1) are kept: "fs" (files under fs_base_path) or
                "memory" (nothing survives a restart).
                """),
            .string("storage", "fs_base_path", \.storage.fsBasePath, """
                The root directory of the "fs" backend. Empty means <data_dir>/blobs.
                """),
            .string("storage", "signing_secret", \.storage.signingSecret, """
                The HMAC-SHA256 secret of signed URLs (/storage/v1/signed/...), at least 32 bytes. Keep it
                out of this file: "env:NAME" or "vault:storage/url-secret". Empty: one is generated at first
                start and kept in the vault, so signed URLs survive restarts.
                """),
            .int("storage", "max_object_bytes", \.storage.maxObjectBytes, """
                The largest object one upload may store, in bytes; larger is 413 PAYLOAD_TOO_LARGE.
                """),
            .string("storage", "public_url", \.storage.publicURL, """
                The base URL clients reach this server at ("https://files.example.com"). When set, signed
                URLs are absolute; when empty they are paths ("/storage/v1/signed/...").
                """),
            // [storage], backend = "s3"
            .string("storage", "endpoint", \.storage.endpoint, """
                backend = "s3": the S3 server's URL, scheme, host and port only
                ("https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000").
                """),
            .string("storage", "region", \.storage.region, """
                backend = "s3": the region requests are signed for.
                """),
            .string("storage", "access_key_id", \.storage.accessKeyID, """
                backend = "s3": the access key id ("env:AWS_ACCESS_KEY_ID" or "vault:path").
                """),
            .string("storage", "secret_access_key", \.storage.secretAccessKey, """
                backend = "s3": the secret access key; keep it out of this file ("env:NAME" or "vault:path").
                """),
            .choice("storage", "addressing", \.storage.addressing, """
                backend = "s3": "path" (endpoint/bucket/key: MinIO, moto) or "virtual" (bucket.endpoint/key: AWS).
                """),
            .string("storage", "bucket_prefix", \.storage.bucketPrefix, """
                backend = "s3": put before every bucket name on the server ("reactor-" keeps bucket "photos" as
                "reactor-photos"); lowercase letters, digits, "-" and ".".
                """),
            .double("storage", "connect_timeout_seconds", \.storage.connectTimeoutSeconds, """
                backend = "s3": how long connecting may take; then STORAGE_UNAVAILABLE (503).
                """),
            .double("storage", "request_timeout_seconds", \.storage.requestTimeoutSeconds, """
                backend = "s3": how long a request without a streamed body may take, and how long a streamed
                transfer may wait for bytes; then STORAGE_UNAVAILABLE (503).
                """),

            // [functions] (issue 15)
            .bool("functions", "enabled", \.functions.enabled, """
                Whether the server runs functions: /functions/v1/<name>, /_admin/functions, document triggers.
                """),
            .strings("functions", "runtimes", \.functions.runtimes, """
                The runtimes functions may use ("wasm"); the first is the default of a deploy. Empty: every
                runtime this binary was built with. A runtime whose package trait was compiled out stops the boot.
                """),
            .int("functions", "default_fuel", \.functions.defaultFuel, """
                Instructions one invocation may execute, unless the function sets its own (0: no limit; the
                timeout still applies). Past it: 502 FUNCTION_FUEL_EXHAUSTED.
                """),
            .int("functions", "default_memory_bytes", \.functions.defaultMemoryBytes, """
                The linear memory one invocation may use, in bytes. Past it: 502 FUNCTION_MEMORY_LIMIT.
                """),
            .int("functions", "default_timeout_ms", \.functions.defaultTimeoutMilliseconds, """
                The wall-clock time one invocation may take. Past it: 504 FUNCTION_TIMEOUT.
                """),
            .int("functions", "default_max_response_bytes", \.functions.defaultMaxResponseBytes, """
                The most a function may write to stdout (its response). Past it: 502 FUNCTION_RESPONSE_TOO_LARGE.
                """),
            .int("functions", "default_max_concurrent", \.functions.defaultMaxConcurrent, """
                Invocations of one function running at once on one node; one more waits up to max_wait_ms,
                then 429 FUNCTION_BUSY.
                """),
            .int("functions", "max_wait_ms", \.functions.maxWaitMilliseconds, """
                How long an invocation waits for a slot of a busy function.
                """),
            .int("functions", "max_module_bytes", \.functions.maxModuleBytes, """
                The largest module a deploy accepts, in bytes.
                """),
            .int("functions", "refresh_ms", \.functions.refreshMilliseconds, """
                How long a node trusts the live version it last read: a promotion on another node is served
                here within this time (at once on the node that promoted).
                """),
            .int("functions", "log_entries", \.functions.logEntries, """
                Invocations kept in memory per function for `reactor functions logs`.
                """),
            // [models]: document models as WASM modules (issue 15).
            .int("models", "fuel_per_action", \.models.fuelPerAction, """
                The fuel (about one unit per WebAssembly instruction) one action of a WASM model may use, unless
                the model was registered with its own. Running out is a reducer error on the operation.
                """),
            .int("models", "max_memory_bytes", \.models.maxMemoryBytes, """
                The linear memory one action of a WASM model may use; more is a reducer error.
                """),
            .int("models", "max_module_bytes", \.models.maxModuleBytes, """
                The largest WASM model module accepted (POST /reactor/v1/models, reactor models add).
                """),
            // [ai]: the AI gateway (issue 16, docs/ai.md).
            .bool("ai", "enabled", \.ai.enabled, """
                Whether the server serves the AI gateway: /ai/v1/chat/completions, /ai/v1/embeddings,
                /ai/v1/models (OpenAI-compatible) and /ai/v1/usage. Upstreams and aliases are the
                [[ai.providers]] and [[ai.aliases]] tables below.
                """),
            .int("ai", "daily_token_budget", \.ai.dailyTokenBudget, """
                Tokens (prompt and completion) one caller may use per UTC day; past it 429
                AI_BUDGET_EXCEEDED until midnight UTC. 0: no budget.
                """),
            .double("ai", "connect_timeout_seconds", \.ai.connectTimeoutSeconds, """
                How long connecting to an upstream may take; then the alias's next target (504
                AI_UPSTREAM_TIMEOUT when none is left).
                """),
            .double("ai", "request_timeout_seconds", \.ai.requestTimeoutSeconds, """
                How long a whole non-streamed answer may take.
                """),
            .double("ai", "stream_idle_timeout_seconds", \.ai.streamIdleTimeoutSeconds, """
                How long a streamed answer may wait for its next bytes, the first chunk included.
                """),
        ]
    }

    /// The key named `section.name`, if any.
    static func named(_ section: String, _ name: String) -> ConfigKey? {
        all.first { $0.section == section && $0.name == name }
    }

    /// The one-line description of each section, for the starter file.
    static let sectionComments: [String: String] = [
        "server": "The HTTP server.",
        "store": "Where documents and operations are stored.",
        "reactor": "The engine that runs jobs.",
        "vault": "The secrets vault. Any string value elsewhere may be \"vault:path\" to read a secret from it.",
        "auth": "Bearer-token (JWT) verification.",
        "signing": "Signed actions: whether signatures are verified or required, and which keys are trusted.",
        "log": "Logging.",
        "storage": "Blob storage: buckets of files under /storage/v1, and signed URLs.",
        "functions": "Functions in a WebAssembly sandbox: /functions/v1/<name>, deployed with reactor functions deploy.",
        "sync": "Sync with other reactors. Remotes are added over the API (reactor sync add) or below as [[sync.remotes]].",
        "models": "Document models as WASM modules (docs/functions.md): limits, and [[models.modules]] registered at boot.",
        "ai": "The AI gateway (docs/ai.md): OpenAI-compatible /ai/v1 over [[ai.providers]], with [[ai.aliases]] and fallbacks.",
    ]
}
