import ReactorCore

extension ReactorConfiguration {
    /// What the server needs to open the vault, read from the `[vault]` section and `server.data_dir` with their
    /// `env:` references resolved (these keys cannot use `vault:`).
    public struct VaultSetup: Sendable, Equatable {
        /// `vault.backend`.
        public var backend: VaultBackend
        /// The vault file (``ReactorConfiguration/vaultPath`` resolved).
        public var file: String
        /// The master key text from `vault.key` (64 hex characters or base64), or `nil` to use ``keyFile``.
        public var key: String?
        /// The key file (``ReactorConfiguration/vaultKeyFile`` resolved), read or created when ``key`` is `nil`.
        public var keyFile: String
        /// `server.data_dir` resolved: where the default vault and key files live.
        public var dataDir: String
        /// `vault.address`, `vault.token`, `vault.mount`, `vault.namespace` and `vault.timeout_seconds` resolved,
        /// for `backend = "openbao"`.
        public var remote: RemoteVaultSetup = RemoteVaultSetup()

        /// A setup with the given values.
        public init(
            backend: VaultBackend, file: String, key: String?, keyFile: String, dataDir: String = ".reactor",
            remote: RemoteVaultSetup = RemoteVaultSetup()
        ) {
            self.remote = remote
            self.dataDir = dataDir
            self.backend = backend
            self.file = file
            self.key = key
            self.keyFile = keyFile
        }
    }

    /// What opening a remote (OpenBao / Vault) vault needs, resolved.
    public struct RemoteVaultSetup: Sendable, Equatable {
        /// The server's URL.
        public var address: String = ""
        /// The token.
        public var token: String = ""
        /// The KV v2 mount path.
        public var mount: String = "secret"
        /// The namespace; nil sends none.
        public var namespace: String?
        /// The per-request timeout.
        public var timeout: Duration = .seconds(10)

        /// Empty values.
        public init() {}

        /// The values of a (resolved) `[vault]` section.
        init(_ section: VaultSection) {
            address = section.address
            token = section.token
            mount = section.mount
            namespace = section.namespace.isEmpty ? nil : section.namespace
            timeout = .milliseconds(Int64((min(max(section.timeoutSeconds, 0.001), 86_400) * 1000).rounded()))
        }
    }

    /// Resolves only what opening the vault needs (`server.data_dir` and `[vault]`, with the environment only): the
    /// first step of booting. Then build the vault and call ``resolved(environment:vault:)`` on this same
    /// (unresolved) configuration:
    ///
    /// ```swift
    /// let setup = try config.vaultSetup(environment: env)
    /// var vault: (any Vault)?
    /// if setup.backend == .file {
    ///     let key = try setup.key.map { try VaultKey(parsing: $0) }
    ///         ?? VaultKey.loadOrCreate(file: URL(fileURLWithPath: setup.keyFile))
    ///     vault = FileVault(file: URL(fileURLWithPath: setup.file), key: key)
    /// }
    /// let resolved = try await config.resolved(environment: env, vault: vault)
    /// ```
    ///
    /// Throws ``ReactorError/Code/configInvalid`` naming the key for an unset variable or a `vault:` reference.
    public func vaultSetup(environment: [String: String]) throws -> VaultSetup {
        var copy = self
        if !isResolved {
            var problems = ConfigProblems()
            let resolver = SecretResolver(environment: environment, vault: nil)
            for key in ConfigKey.all where key.references == .environmentOnly {
                guard case .string(let text) = key.read(self) else { continue }
                if let value = resolver.resolveEnvironment(text, key: key.path, source: origins[key.path], problems: &problems) {
                    copy.applyResolved(key, reference: text, value: value, problems: &problems)
                }
            }
            try problems.throwIfAny()
        }
        return VaultSetup(
            backend: copy.vault.backend, file: copy.vaultPath, key: copy.vault.key.isEmpty ? nil : copy.vault.key,
            keyFile: copy.vaultKeyFile, dataDir: copy.server.dataDir, remote: RemoteVaultSetup(copy.vault))
    }

    /// This configuration with every reference replaced by its value, once, at boot: `env:NAME` by the environment
    /// variable, `vault:path` by the secret in `vault`, `literal:text` by `text` — in every string value and every
    /// array element. The result is validated again (a PostgreSQL URL's scheme, the HMAC secret's length …).
    ///
    /// Every unresolvable reference is reported in one ``ReactorError/Code/configInvalid`` error naming the keys (an
    /// unset variable, a missing secret, `vault:` with no vault, a malformed name or path). An error of the vault
    /// itself (``ReactorError/Code/vaultKey``, ``ReactorError/Code/vaultCorrupt``) is thrown with its own code, the
    /// key added to its message. Resolving a resolved configuration returns it unchanged.
    public func resolved(environment: [String: String], vault: (any Vault)?) async throws -> ReactorConfiguration {
        guard !isResolved else { return self }
        var out = self
        var problems = ConfigProblems()
        let resolver = SecretResolver(environment: environment, vault: vault)
        for key in ConfigKey.all where key.references != .none {
            let source = origins[key.path]
            let allowVault = key.references == .all
            switch key.read(self) {
            case .string(let text):
                guard let value = try await resolver.resolve(
                    text, key: key.path, source: source, allowVault: allowVault, problems: &problems)
                else { continue }
                out.applyResolved(key, reference: text, value: value, problems: &problems)
            case .strings(let texts):
                var values: [String] = []
                for (index, text) in texts.enumerated() {
                    let name = "\(key.path)[\(index)]"
                    if let value = try await resolver.resolve(
                        text, key: name, source: source, allowVault: allowVault, problems: &problems)
                    {
                        values.append(value)
                    }
                }
                _ = key.apply(&out, .strings(values))
            default:
                continue
            }
        }
        try problems.throwIfAny()
        out.isResolved = true
        try out.validate()
        return out
    }
}

extension ReactorConfiguration {
    /// Stores the value a reference resolved to; an enumeration or address that does not parse is a problem naming
    /// the key and the reference (`store.backend: env:BACKEND gives "mysql": must be one of …`).
    fileprivate mutating func applyResolved(_ key: ConfigKey, reference text: String, value: String, problems: inout ConfigProblems) {
        let reference = SecretReference(text)
        deferredReferences[key.path] = nil
        if let problem = key.apply(&self, .string(value)) {
            problems.add(key.path, "\(reference.label) gives \(ConfigValue.tomlString(value)): \(problem)", source: origins[key.path])
        } else if deferredReferences.removeValue(forKey: key.path) != nil {
            problems.add(key.path, "\(reference.label) gives \(ConfigValue.tomlString(value)), itself a reference; give the value",
                         source: origins[key.path])
        }
        if reference.isReference { origins.resolvedFrom[key.path] = reference.label }
    }
}
