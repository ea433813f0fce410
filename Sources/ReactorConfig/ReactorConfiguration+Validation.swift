import Foundation
import ReactorCore

extension ReactorConfiguration {
    /// Checks ranges, enumerations, reference syntax and the rules across keys (a PostgreSQL URL for the
    /// `postgres` backend, a key source when auth is enabled, a long enough HMAC secret …). Throws one
    /// ``ReactorError/Code/configInvalid`` error listing every problem, each naming its key.
    ///
    /// The loader runs this; call it for a configuration built in code. Values that are still unresolved references
    /// are checked after resolution.
    public func validate() throws {
        try problems().throwIfAny()
    }

    /// The plain text of a string value, or `nil` while it is an unresolved `env:`/`vault:` reference.
    func plain(_ text: String) -> String? {
        if isResolved { return text }
        switch SecretReference(text) {
        case .literal(let value): return value
        case .environment, .vault: return nil
        }
    }

    /// Every problem of this configuration.
    func problems() -> ConfigProblems {
        var problems = ConfigProblems()
        func add(_ key: String, _ message: String) {
            var message = message
            if let reference = origins.resolvedFrom[key] { message += " (value of \(reference))" }
            problems.add(key, message, source: origins[key])
        }

        // Ranges.
        if !(0...65535).contains(server.bind.port) { add("server.bind", "the port \(server.bind.port) is not in 0…65535") }
        if server.bind.host.isEmpty { add("server.bind", "the host is empty") }
        if let dataDir = plain(server.dataDir), dataDir.isEmpty { add("server.data_dir", "must not be empty") }
        if server.maxBodyBytes <= 0 { add("server.max_body_bytes", "must be greater than 0, got \(server.maxBodyBytes)") }
        if !(1...1_000_000).contains(server.subscriptionBuffer) {
            add("server.subscription_buffer", "must be in 1…1000000, got \(server.subscriptionBuffer)")
        }
        for (index, entry) in server.allowedHosts.enumerated() {
            if let host = plain(entry), HostName.normalized(host) == nil {
                problems.add("server.allowed_hosts[\(index)]",
                             "\(ConfigValue.tomlString(host)) is not a host name or IP address (write it without scheme or port)",
                             source: origins["server.allowed_hosts"])
            }
        }
        for (index, entry) in server.allowedOrigins.enumerated() {
            if let origin = plain(entry), origin != "*", WebOrigin(origin) == nil {
                problems.add("server.allowed_origins[\(index)]",
                             "\(ConfigValue.tomlString(origin)) is not an origin scheme://host[:port] (no path, no trailing slash) or \"*\"",
                             source: origins["server.allowed_origins"])
            }
        }
        for (index, entry) in signing.trustedKeys.enumerated() {
            if let key = plain(entry), ![32, 64].contains(Data(base64Encoded: key)?.count ?? 0) {
                problems.add("signing.trusted_keys[\(index)]",
                             "\(ConfigValue.tomlString(key)) is not a base64 raw public key (32 bytes for Ed25519, 64 for P-256)",
                             source: origins["signing.trusted_keys"])
            }
        }
        if server.maxConnections < 1 { add("server.max_connections", "must be at least 1, got \(server.maxConnections)") }
        for (key, seconds) in [("server.header_read_timeout_seconds", server.headerReadTimeoutSeconds),
                               ("server.idle_timeout_seconds", server.idleTimeoutSeconds),
                               ("server.shutdown_timeout_seconds", server.shutdownTimeoutSeconds)]
        where !(seconds > 0 && seconds.isFinite) {
            add(key, "must be a number greater than 0, got \(seconds)")
        }
        if server.maxHeaderBytes < 1024 { add("server.max_header_bytes", "must be at least 1024, got \(server.maxHeaderBytes)") }
        if server.maxURLBytes < 256 {
            add("server.max_url_bytes", "must be at least 256, got \(server.maxURLBytes)")
        } else if server.maxURLBytes > server.maxHeaderBytes {
            add("server.max_url_bytes",
                "must be at most server.max_header_bytes (\(server.maxHeaderBytes)), got \(server.maxURLBytes)")
        }
        if !(1...1024).contains(reactor.maxJobsPerCommit) {
            add("reactor.max_jobs_per_commit", "must be in 1…1024, got \(reactor.maxJobsPerCommit)")
        }
        if !(1...1024).contains(reactor.maxConcurrency) {
            add("reactor.max_concurrency", "must be in 1…1024, got \(reactor.maxConcurrency)")
        }
        if !(reactor.jobTimeoutSeconds > 0 && reactor.jobTimeoutSeconds.isFinite) {
            add("reactor.job_timeout_seconds", "must be a number greater than 0, got \(reactor.jobTimeoutSeconds)")
        }
        if reactor.keyframeInterval < 1 {
            add("reactor.keyframe_interval", "must be at least 1, got \(reactor.keyframeInterval)")
        }
        if reactor.maxHistoryReplayOperations < 1 {
            add("reactor.max_history_replay_operations", "must be at least 1, got \(reactor.maxHistoryReplayOperations)")
        }
        if !(reactor.heartbeatSeconds > 0 && reactor.heartbeatSeconds.isFinite) {
            add("reactor.heartbeat_seconds", "must be a number greater than 0, got \(reactor.heartbeatSeconds)")
        } else if !(reactor.nodeTimeoutSeconds >= 2 * reactor.heartbeatSeconds && reactor.nodeTimeoutSeconds.isFinite) {
            add("reactor.node_timeout_seconds",
                "must be at least two heartbeats (\(2 * reactor.heartbeatSeconds)), got \(reactor.nodeTimeoutSeconds)")
        }
        if !(reactor.consistencyTimeoutSeconds > 0 && reactor.consistencyTimeoutSeconds.isFinite) {
            add("reactor.consistency_timeout_seconds",
                "must be a number greater than 0, got \(reactor.consistencyTimeoutSeconds)")
        }
        if reactor.maxPendingJobs < 1 { add("reactor.max_pending_jobs", "must be at least 1, got \(reactor.maxPendingJobs)") }
        if !(1...max(1, reactor.maxPendingJobs)).contains(reactor.maxPendingJobsPerDocument) {
            add("reactor.max_pending_jobs_per_document",
                "must be in 1…\(max(1, reactor.maxPendingJobs)) (reactor.max_pending_jobs), got \(reactor.maxPendingJobsPerDocument)")
        }
        if reactor.maxPendingBytesPerDocument < server.maxBodyBytes {
            add("reactor.max_pending_bytes_per_document",
                "must be at least server.max_body_bytes (\(server.maxBodyBytes)): the largest request must fit; "
                    + "got \(reactor.maxPendingBytesPerDocument)")
        }
        if reactor.maxPendingBytes < reactor.maxPendingBytesPerDocument {
            add("reactor.max_pending_bytes",
                "must be at least reactor.max_pending_bytes_per_document (\(reactor.maxPendingBytesPerDocument)), got \(reactor.maxPendingBytes)")
        }
        if !(reactor.shutdownDrainSeconds >= 0 && reactor.shutdownDrainSeconds.isFinite) {
            add("reactor.shutdown_drain_seconds", "must be a number of at least 0, got \(reactor.shutdownDrainSeconds)")
        }
        vaultProblems(add)
        if auth.leewaySeconds < 0 { add("auth.leeway_seconds", "must be 0 or more, got \(auth.leewaySeconds)") }
        // Identity (issue 14).
        if auth.service, vault.backend == .none {
            add("auth.service", "needs a vault for its signing keys; set vault.backend (it is \"none\")")
        }
        if auth.service, let problem = identityProblem() { add(problem.key, problem.message) }
        syncProblems(&problems)
        storageProblems(add)
        functionsProblems(add)
        modelsProblems(add)
        aiProblems(add)

        // Reference syntax, and no vault: where the vault depends on the value.
        if !isResolved {
            for key in ConfigKey.all where key.references != .none {
                let values: [(String, String)]
                switch key.read(self) {
                case .string(let text): values = [(key.path, text)]
                case .strings(let texts): values = texts.enumerated().map { ("\(key.path)[\($0.offset)]", $0.element) }
                default: values = []
                }
                for (name, text) in values {
                    let reference = SecretReference(text)
                    if case .vault = reference, key.references == .environmentOnly {
                        let why = key.section == "vault"
                            ? "vault: references are not allowed in [vault] (the vault cannot hold its own settings); use env:NAME or a literal value"
                            : "vault: references are not allowed here (the vault's location depends on it); use env:NAME or a literal value"
                        problems.add(name, why, source: origins[key.path])
                    } else if let problem = reference.syntaxProblem {
                        problems.add(name, problem, source: origins[key.path])
                    }
                }
            }
        }

        // Rules across keys.
        // (A backend still given as a reference is checked once the reference is resolved.)
        if store.backend == .postgres, deferredReferences["store.backend"] == nil, store.url.isEmpty {
            problems.add("store.url", "is required when store.backend is \"postgres\"", source: origins["store.backend"])
        }
        if let url = plain(store.url), !url.isEmpty, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            add("store.url", "must start with postgres:// or postgresql://")
        }
        if auth.enabled, !auth.hasKeySource {
            problems.add(
                "auth",
                "auth.enabled is true but no key source is set; set at least one of auth.hmac_secret, "
                    + "auth.public_keys, auth.jwks_url, auth.jwks_file or auth.remote_url",
                source: origins["auth.enabled"])
        }
        if let secret = plain(auth.hmacSecret), !secret.isEmpty, secret.utf8.count < 32 {
            add("auth.hmac_secret", "must be at least 32 bytes, got \(secret.utf8.count)")
        }
        for (key, value) in [("auth.jwks_url", auth.jwksURL), ("auth.remote_url", auth.remoteURL)] {
            if let url = plain(value), !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                add(key, "must start with https:// or http://")
            }
        }
        return problems
    }
}
