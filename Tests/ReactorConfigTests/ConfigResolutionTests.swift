import ReactorConfig
import ReactorCore
import ReactorTesting
import Testing

@Suite("Resolving env: and vault: references", .timeLimit(.minutes(3)))
struct ConfigResolutionTests {
    static let secret32 = "0123456789abcdef0123456789abcdef"

    /// Choices and the bind address are strings too: references resolve at boot and the value is parsed then, with a
    /// message naming the key and the reference when it does not parse.
    @Test func referencesInChoiceAndBindKeys() async throws {
        let toml = """
            [server]
            bind = "env:BIND"
            [store]
            backend = "vault:store/backend"
            url = "vault:store/url"
            migrate = "literal:manual"
            [vault]
            backend = "env:VAULT_BACKEND"
            [log]
            level = "env:LOG_LEVEL"
            """
        let environment = ["BIND": "0.0.0.0:9100", "VAULT_BACKEND": "file", "LOG_LEVEL": "debug"]
        let config = try ConfigLoader.parse(toml, environment: environment)
        #expect(config.store.backend == .sqlite, "unresolved: the default until boot")
        #expect(try config.vaultSetup(environment: environment).backend == .file)
        let vault = MockVault(["store/backend": "postgres", "store/url": "postgres://u:p@db/reactor"])
        let resolved = try await config.resolved(environment: environment, vault: vault)
        #expect(resolved.server.bind == (try BindAddress(parsing: "0.0.0.0:9100")))
        #expect(resolved.store.backend == .postgres)
        #expect(resolved.store.migrate == .manual)
        #expect(resolved.vault.backend == .file)
        #expect(resolved.log.level == .debug)

        // A REACTOR_* override with a plain value replaces the reference.
        let overridden = try ConfigLoader.parse(toml, environment: environment.merging(["REACTOR_STORE__BACKEND": "memory"]) { $1 })
        #expect(try await overridden.resolved(environment: environment, vault: vault).store.backend == .memory)

        // Values that do not parse, a value that is itself a reference, a backend that needs a URL.
        let bad = try ConfigLoader.parse(toml, environment: environment)
        let error = try await #require(throws: ReactorError.self) {
            try await bad.resolved(environment: ["BIND": "nowhere", "VAULT_BACKEND": "file", "LOG_LEVEL": "env:LEVEL"],
                                   vault: MockVault(["store/backend": "mysql", "store/url": "postgres://db/x"]))
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("server.bind: env:BIND gives \"nowhere\":"), "\(error.message)")
        #expect(error.message.contains("store.backend: vault:store/backend gives \"mysql\": must be one of"), "\(error.message)")
        #expect(error.message.contains("log.level: env:LOG_LEVEL gives \"env:LEVEL\", itself a reference"), "\(error.message)")
        let noURL = try ConfigLoader.parse("[store]\nbackend = \"env:BACKEND\"\n")
        let missing = try await #require(throws: ReactorError.self) {
            try await noURL.resolved(environment: ["BACKEND": "postgres"], vault: nil)
        }
        #expect(missing.message.contains("store.url: is required when store.backend is \"postgres\""), "\(missing.message)")
        // A reference in a later layer replaces the file's backend: the file's value no longer asks for a URL.
        let layered = try ConfigLoader.parse("[store]\nbackend = \"postgres\"\n", environment: ["REACTOR_STORE__BACKEND": "env:BACKEND"])
        #expect(try await layered.resolved(environment: ["BACKEND": "sqlite"], vault: nil).store.backend == .sqlite)
    }

    @Test func environmentAndVaultReferencesIncludingArrayElements() async throws {
        let toml = """
            [server]
            data_dir = "env:DATA_DIR"
            [store]
            backend = "postgres"
            url = "vault:store/url"
            [auth]
            enabled = true
            issuer = "env:ISSUER"
            audience = "literal:env:not-a-reference"
            hmac_secret = "vault:auth/hmac"
            public_keys = ["literal-pem", "env:PEM_TWO", "vault:auth/pem"]
            """
        let vault = MockVault([
            "store/url": "postgres://reactor:pw@db/reactor", "auth/hmac": Self.secret32,
            "auth/pem": "-----BEGIN PUBLIC KEY-----\nvault\n-----END PUBLIC KEY-----",
        ])
        let environment = ["DATA_DIR": "/data", "ISSUER": "https://issuer", "PEM_TWO": "env:NOT_AGAIN"]
        let config = try ConfigLoader.parse(toml, environment: environment)
        #expect(config.store.url == "vault:store/url")
        let resolved = try await config.resolved(environment: environment, vault: vault)
        #expect(resolved.isResolved)
        #expect(resolved.server.dataDir == "/data")
        #expect(resolved.storePath == "/data/reactor.sqlite")
        #expect(resolved.store.url == "postgres://reactor:pw@db/reactor")
        #expect(resolved.auth.issuer == "https://issuer")
        #expect(resolved.auth.audience == "env:not-a-reference")
        #expect(resolved.auth.hmacSecret == Self.secret32)
        // Resolution happens once: a value that looks like a reference stays as it is.
        #expect(resolved.auth.publicKeys == ["literal-pem", "env:NOT_AGAIN", "-----BEGIN PUBLIC KEY-----\nvault\n-----END PUBLIC KEY-----"])
        let again = try await resolved.resolved(environment: [:], vault: nil)
        #expect(again == resolved)
        // Unchanged parts stay.
        #expect(resolved.server.bind == config.server.bind)
        #expect(resolved.store.backend == .postgres)
    }

    @Test func noReferencesResolvesWithoutAVault() async throws {
        let resolved = try await ReactorConfiguration.defaults.resolved(environment: [:], vault: nil)
        #expect(resolved.isResolved)
        #expect(resolved != .defaults)  // differs only by isResolved
        #expect(resolved.server == ReactorConfiguration.defaults.server)
        #expect(resolved.auth == ReactorConfiguration.defaults.auth)
        #expect(resolved.vault == ReactorConfiguration.defaults.vault)
    }

    @Test func unsetEnvironmentVariable() async throws {
        let config = try ConfigLoader.parse("[auth]\nissuer = \"env:MISSING_ISSUER\"\npublic_keys = [\"env:PEM\"]\n")
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: [:], vault: MockVault())
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("auth.issuer: environment variable MISSING_ISSUER is not set (env:MISSING_ISSUER) (Reactor.toml:2)"))
        #expect(error.message.contains("auth.public_keys[0]: environment variable PEM is not set (env:PEM) (Reactor.toml:3)"))
    }

    @Test func missingVaultSecret() async throws {
        let config = try ConfigLoader.parse(nil, environment: ["REACTOR_AUTH__HMAC_SECRET": "vault:auth/hmac"])
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: [:], vault: MockVault(["auth/other": "x"]))
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("auth.hmac_secret: no secret at vault path 'auth/hmac' (vault:auth/hmac) (environment variable REACTOR_AUTH__HMAC_SECRET)"))
    }

    @Test func vaultReferenceWithNoVault() async throws {
        let config = try ConfigLoader.parse("[vault]\nbackend = \"none\"\n[store]\nurl = \"vault:store/url\"\n")
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: [:], vault: nil)
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("store.url: refers to vault:store/url but no vault is configured"))
    }

    @Test func invalidVaultPathIsCaughtAtLoad() throws {
        let error = try configError("[store]\nurl = \"vault:store/../url\"\n")
        #expect(error.message.contains("store.url: invalid secret path 'store/../url'"))
    }

    @Test func shortHMACSecretAfterResolution() async throws {
        let config = try ConfigLoader.parse("[auth]\nenabled = true\nhmac_secret = \"env:HMAC\"\n")
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: ["HMAC": "short-secret"], vault: nil)
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("auth.hmac_secret: must be at least 32 bytes, got 12 (value of env:HMAC) (Reactor.toml:3)"))
        #expect(!error.message.contains("short-secret"))
        let fine = try await config.resolved(environment: ["HMAC": Self.secret32], vault: nil)
        #expect(fine.auth.hmacSecret == Self.secret32)
    }

    @Test func resolvedURLIsChecked() async throws {
        let config = try ConfigLoader.parse("[store]\nbackend = \"postgres\"\nurl = \"vault:db\"\n")
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: [:], vault: MockVault(["db": "mysql://x"]))
        }
        #expect(error.message.contains("store.url: must start with postgres:// or postgresql:// (value of vault:db)"))
    }

    @Test func vaultFailuresKeepTheirCode() async throws {
        let vault = MockVault(["auth/hmac": Self.secret32])
        vault.fail(with: ReactorError(.vaultKey, "the master key does not open this vault"))
        let config = try ConfigLoader.parse("[auth]\nhmac_secret = \"vault:auth/hmac\"\n")
        let error = try await #require(throws: ReactorError.self) { try await config.resolved(environment: [:], vault: vault) }
        #expect(error.code == .vaultKey)
        #expect(error.message.contains("auth.hmac_secret"))
        #expect(error.message.contains("the master key does not open this vault"))
    }

    @Test func vaultSetupResolvesOnlyTheVaultSettings() throws {
        let config = try ConfigLoader.parse("""
            [server]
            data_dir = "env:DATA"
            [vault]
            key = "env:VAULT_KEY"
            [auth]
            hmac_secret = "vault:auth/hmac"
            """)
        let setup = try config.vaultSetup(environment: ["DATA": "/srv", "VAULT_KEY": "abc"])
        #expect(setup == .init(backend: .file, file: "/srv/vault.enc", key: "abc", keyFile: "/srv/vault.key", dataDir: "/srv"))
        let noKey = try ConfigLoader.parse("[vault]\nkey_file = \"env:KEY_FILE\"\npath = \"literal:/x/vault.enc\"\n")
            .vaultSetup(environment: ["KEY_FILE": "/keys/k"])
        #expect(noKey == .init(backend: .file, file: "/x/vault.enc", key: nil, keyFile: "/keys/k"))
        let error = try #require(throws: ReactorError.self) { try config.vaultSetup(environment: ["DATA": "/srv"]) }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("vault.key: environment variable VAULT_KEY is not set"))
    }

    @Test func bootSequence() async throws {
        // vaultSetup first, then resolve everything with the vault it describes.
        let config = try ConfigLoader.parse("[vault]\nkey = \"env:K\"\n[auth]\nenabled = true\nhmac_secret = \"vault:auth/hmac\"\n")
        let environment = ["K": "the-key"]
        let setup = try config.vaultSetup(environment: environment)
        #expect(setup.key == "the-key")
        let vault = MockVault(["auth/hmac": Self.secret32])
        let resolved = try await config.resolved(environment: environment, vault: vault)
        #expect(resolved.vault.key == "the-key")
        #expect(resolved.auth.hmacSecret == Self.secret32)
    }

    @Test func secretResolverOnItsOwn() async throws {
        let resolver = SecretResolver(environment: ["A": "from-env"], vault: MockVault(["x/y": "from-vault"]))
        #expect(try await resolver.resolve("env:A", key: "k") == "from-env")
        #expect(try await resolver.resolve("vault:x/y", key: "k") == "from-vault")
        #expect(try await resolver.resolve("literal:vault:x/y", key: "k") == "vault:x/y")
        #expect(try await resolver.resolve("plain", key: "k") == "plain")
        let error = try await #require(throws: ReactorError.self) { try await resolver.resolve("env:B", key: "my.key") }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("my.key: environment variable B is not set"))
        #expect(SecretReference("env:A") == .environment("A"))
        #expect(SecretReference("vault:a/b") == .vault("a/b"))
        #expect(SecretReference("literal:env:A") == .literal("env:A"))
        #expect(SecretReference("ENV:A") == .literal("ENV:A"))
        #expect(SecretReference("vault:a").isReference && !SecretReference("x").isReference)
    }
}
