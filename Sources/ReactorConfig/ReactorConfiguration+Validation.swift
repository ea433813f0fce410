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
        if auth.leewaySeconds < 0 { add("auth.leeway_seconds", "must be 0 or more, got \(auth.leewaySeconds)") }

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
