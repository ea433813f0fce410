import ReactorCore

/// The whole configuration of a Reactor server: the typed form of `Reactor.toml`.
///
/// Load it with ``ConfigLoader/load(file:environment:overrides:workingDirectory:)`` (defaults < file < environment
/// < command line), then resolve its `env:` / `vault:` references once at boot with
/// ``resolved(environment:vault:)``. Values built in code start from ``defaults`` and can be checked with
/// ``validate()``.
///
/// String values that accept references (paths, URLs, secrets, the auth settings) hold the raw text until the
/// configuration is resolved; use the string values of a resolved configuration only (``isResolved``).
public struct ReactorConfiguration: Sendable, Equatable {
    /// `[server]`: the HTTP listener and where data lives.
    public var server: ServerSection
    /// `[store]`: the document store.
    public var store: StoreSection
    /// `[reactor]`: the engine (concurrency, timeouts, keyframes).
    public var reactor: ReactorSection
    /// `[vault]`: the secrets vault.
    public var vault: VaultSection
    /// `[auth]`: bearer-token verification.
    public var auth: AuthSection
    /// `[signing]`: what is done with the signatures clients put on actions.
    public var signing: SigningSection
    /// `[log]`: logging.
    public var log: LogSection
    /// `[sync]`: sync with other reactors (limits, timings and the `[[sync.remotes]]` added at boot).
    public var sync: SyncSection
    /// `[storage]`: the blob store.
    public var storage: StorageSection
    /// `[functions]`: functions in a sandbox.
    public var functions: FunctionsSection = FunctionsSection()
    /// `[models]`: document models as WASM modules (limits and the `[[models.modules]]` registered at boot).
    public var models: ModelsSection
    /// `[ai]`: the AI gateway (providers, aliases, budgets).
    public var ai: AISection = AISection()

    /// Whether every `env:`, `vault:` and `literal:` reference has been replaced by its value
    /// (see ``resolved(environment:vault:)``).
    public internal(set) var isResolved: Bool

    /// Where each value came from (not part of equality).
    var origins: ConfigOrigins

    /// `env:`/`vault:` references given to keys whose value is not a string (an enumeration, the bind address), by
    /// key path. The typed field keeps its previous value until ``resolved(environment:vault:)`` parses the
    /// reference's value into it.
    var deferredReferences: [String: String] = [:]

    /// A configuration with the given sections (the defaults for those not given).
    public init(
        server: ServerSection = ServerSection(), store: StoreSection = StoreSection(),
        reactor: ReactorSection = ReactorSection(), vault: VaultSection = VaultSection(),
        auth: AuthSection = AuthSection(), signing: SigningSection = SigningSection(), log: LogSection = LogSection(),
        sync: SyncSection = SyncSection(),
        storage: StorageSection = StorageSection(),
        models: ModelsSection = ModelsSection()
    ) {
        self.models = models
        self.sync = sync
        self.storage = storage
        self.server = server
        self.store = store
        self.reactor = reactor
        self.vault = vault
        self.auth = auth
        self.signing = signing
        self.log = log
        self.isResolved = false
        self.origins = ConfigOrigins()
    }

    /// Every default value: what an empty `Reactor.toml` (or none) gives.
    public static var defaults: ReactorConfiguration { ReactorConfiguration() }

    /// The names of the sections, in file order.
    public static let sectionNames = ["server", "store", "reactor", "vault", "auth", "signing", "log", "sync", "storage", "functions", "models", "ai"]

    /// Every key as `section.key`, in file order.
    public static var keyNames: [String] { ConfigKey.all.map(\.path) }

    // MARK: Resolved conveniences

    /// The SQLite file: `store.path`, or `<data_dir>/reactor.sqlite` when it is empty. A relative `store.path` is
    /// used as written (relative to the working directory, like `data_dir` itself).
    public var storePath: String { store.path.isEmpty ? Self.join(server.dataDir, "reactor.sqlite") : store.path }

    /// The directory of the `fs` blob store: `storage.fs_base_path`, or `<data_dir>/blobs` when it is empty. Created
    /// at boot next to the database and the vault, so one data directory holds everything an embedded server keeps.
    public var blobsPath: String { storage.fsBasePath.isEmpty ? Self.join(server.dataDir, "blobs") : storage.fsBasePath }

    /// The vault file: `vault.path`, or `<data_dir>/vault.enc` when it is empty.
    public var vaultPath: String { vault.path.isEmpty ? Self.join(server.dataDir, "vault.enc") : vault.path }

    /// The vault key file: `vault.key_file`, or `<data_dir>/vault.key` when it is empty. Only used when `vault.key` is
    /// empty; the server creates it (mode 0600) with a fresh key on first use.
    public var vaultKeyFile: String {
        vault.keyFile.isEmpty ? Self.join(server.dataDir, "vault.key") : vault.keyFile
    }

    /// The value of `server.admin_token_file` that disables the local admin token.
    public static let adminTokenDisabled = "none"

    /// The local admin token file: `server.admin_token_file`, or `<data_dir>/admin.token` when it is empty; nil when
    /// it is `"none"` (then `/_admin` accepts admin bearer tokens of `[auth]` only). The server creates the file
    /// (mode 0600) with a fresh token at first start.
    public var adminTokenFile: String? {
        if server.adminTokenFile == Self.adminTokenDisabled { return nil }
        return server.adminTokenFile.isEmpty ? Self.join(server.dataDir, "admin.token") : server.adminTokenFile
    }

    /// Where a value came from, for diagnostics (`reactor doctor`): `"default value"`, `"/etc/Reactor.toml:4"`,
    /// `"environment variable REACTOR_SERVER__BIND"` or `"command-line override server.bind"`. `key` is
    /// `section.key`.
    public func source(of key: String) -> String {
        origins[key].description
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
