import Foundation
import ReactorConfig
import ReactorCore
import Testing

@Suite("Invalid configurations", .timeLimit(.minutes(3)))
struct ConfigValidationTests {
    @Test func unknownSection() throws {
        let error = try configError("[server]\nbind = \"127.0.0.1:1\"\n\n[stor]\nbackend = \"sqlite\"\n")
        #expect(error.message.contains("stor: unknown section [stor] (did you mean [store]?); the sections are [server], [store]"))
        #expect(error.message.contains("(Reactor.toml:4)"))
        #expect(error.details["keys"] == "stor")
    }

    @Test func unknownTopLevelKey() throws {
        let error = try configError("bind = \"127.0.0.1:1\"\n")
        #expect(error.message.contains("bind: unknown top-level key"))
        #expect(error.message.contains("[server]"))
        #expect(error.message.contains("Reactor.toml:1"))
    }

    @Test func unknownKey() throws {
        let error = try configError("[store]\nbackend = \"sqlite\"\ndurabilty = \"full\"\n")
        #expect(error.message.contains("store.durabilty: unknown key (did you mean store.durability?); [store] has backend, path, url, durability, migrate"))
        #expect(error.message.contains("(Reactor.toml:3)"))
    }

    @Test func unknownSubTable() throws {
        let error = try configError("[server]\n[server.tls]\ncert = \"x\"\n")
        #expect(error.message.contains("server.tls: unknown key"))
        #expect(error.message.contains("Reactor.toml:2"))
    }

    @Test func wrongTypes() throws {
        let error = try configError("""
            [server]
            max_body_bytes = "1MB"
            [reactor]
            max_concurrency = 2.5
            job_timeout_seconds = "30"
            [auth]
            enabled = "yes"
            public_keys = "one key"
            issuer = 42
            [store]
            backend = 1
            """)
        for expected in [
            "server.max_body_bytes: expected an integer, got a string (Reactor.toml:2)",
            "reactor.max_concurrency: expected an integer, got a floating-point number (Reactor.toml:4)",
            "reactor.job_timeout_seconds: expected a number, got a string (Reactor.toml:5)",
            "auth.enabled: expected a boolean (true or false), got a string (Reactor.toml:7)",
            "auth.public_keys: expected an array of strings, got a string (Reactor.toml:8)",
            "auth.issuer: expected a string, got an integer (Reactor.toml:9)",
            "store.backend: expected one of \"sqlite\", \"memory\", \"postgres\", got an integer (Reactor.toml:11)",
        ] {
            #expect(error.message.contains(expected), "missing: \(expected)\nin: \(error.message)")
        }
        #expect(error.message.hasPrefix("invalid configuration (7 problems):"))
    }

    @Test func wrongArrayElementType() throws {
        let error = try configError("[auth]\npublic_keys = [\"a\", 2]\n")
        #expect(error.message.contains("auth.public_keys[1]: expected a string, got an integer (Reactor.toml:2)"))
    }

    @Test func badEnumValues() throws {
        let error = try configError("""
            [store]
            backend = "mysql"
            durability = "FULL"
            migrate = "sometimes"
            [vault]
            backend = "hashicorp"
            [log]
            level = "verbose"
            """)
        #expect(error.message.contains("store.backend: must be one of \"sqlite\", \"memory\", \"postgres\", got \"mysql\" (Reactor.toml:2)"))
        #expect(error.message.contains("store.durability: must be one of \"normal\", \"full\", got \"FULL\""))
        #expect(error.message.contains("store.migrate: must be one of \"auto\", \"manual\""))
        #expect(error.message.contains("vault.backend: must be one of \"file\", \"openbao\", \"none\", got \"hashicorp\""))
        #expect(error.message.contains("log.level: must be one of \"trace\", \"debug\", \"info\", \"notice\", \"warning\", \"error\", \"critical\", got \"verbose\""))
    }

    @Test func vaultBackendTakesOnlyEnvironmentReferences() throws {
        let error = try configError("[vault]\nbackend = \"vault:x/backend\"\n")
        #expect(error.message.contains("vault.backend: vault: references are not allowed in [vault]"), "\(error.message)")
    }

    @Test func badBind() throws {
        let error = try configError("[server]\nbind = \"127.0.0.1:70000\"\n")
        #expect(error.message.contains("server.bind: \"127.0.0.1:70000\" is not a valid address: the port 70000 is not in 0…65535 (Reactor.toml:2)"))
        let ipv6 = try configError("[server]\nbind = \"::1:8000\"\n")
        #expect(ipv6.message.contains("write an IPv6 address in brackets, e.g. [::1]:8000"))
    }

    @Test func outOfRangeNumbers() throws {
        let error = try configError("""
            [server]
            max_body_bytes = 0
            data_dir = ""
            [reactor]
            max_concurrency = 1025
            job_timeout_seconds = 0
            keyframe_interval = 0
            consistency_timeout_seconds = -1.5
            [auth]
            leeway_seconds = -1
            """)
        for expected in [
            "server.max_body_bytes: must be greater than 0, got 0 (Reactor.toml:2)",
            "server.data_dir: must not be empty (Reactor.toml:3)",
            "reactor.max_concurrency: must be in 1…1024, got 1025 (Reactor.toml:5)",
            "reactor.job_timeout_seconds: must be a number greater than 0, got 0.0 (Reactor.toml:6)",
            "reactor.keyframe_interval: must be at least 1, got 0 (Reactor.toml:7)",
            "reactor.consistency_timeout_seconds: must be a number greater than 0, got -1.5 (Reactor.toml:8)",
            "auth.leeway_seconds: must be 0 or more, got -1 (Reactor.toml:10)",
        ] {
            #expect(error.message.contains(expected), "missing: \(expected)\nin: \(error.message)")
        }
        let low = try configError("[reactor]\nmax_concurrency = 0\n")
        #expect(low.message.contains("reactor.max_concurrency: must be in 1…1024, got 0"))
    }

    @Test func connectionLimits() throws {
        let error = try configError("""
            [server]
            max_connections = 0
            header_read_timeout_seconds = 0
            idle_timeout_seconds = -1
            shutdown_timeout_seconds = inf
            max_header_bytes = 100
            max_url_bytes = 10
            """)
        for expected in [
            "server.max_connections: must be at least 1, got 0 (Reactor.toml:2)",
            "server.header_read_timeout_seconds: must be a number greater than 0, got 0.0 (Reactor.toml:3)",
            "server.idle_timeout_seconds: must be a number greater than 0, got -1.0 (Reactor.toml:4)",
            "server.shutdown_timeout_seconds: must be a number greater than 0, got inf (Reactor.toml:5)",
            "server.max_header_bytes: must be at least 1024, got 100 (Reactor.toml:6)",
            "server.max_url_bytes: must be at least 256, got 10 (Reactor.toml:7)",
        ] {
            #expect(error.message.contains(expected), "missing: \(expected)\nin: \(error.message)")
        }
        let url = try configError("[server]\nmax_header_bytes = 4096\nmax_url_bytes = 8192\n")
        #expect(url.message.contains("server.max_url_bytes: must be at most server.max_header_bytes (4096), got 8192"))
        let defaults = try ConfigLoader.parse("")
        #expect(defaults.server.maxConnections == 1024 && defaults.server.headerReadTimeoutSeconds == 10)
        #expect(defaults.server.idleTimeoutSeconds == 60 && defaults.server.shutdownTimeoutSeconds == 10)
        #expect(defaults.server.maxHeaderBytes == 32_768 && defaults.server.maxURLBytes == 8192)
    }

    @Test func subscriptionBuffer() throws {
        for value in [0, 1_000_001] {
            let error = try configError("[server]\nsubscription_buffer = \(value)\n")
            #expect(error.message.contains("server.subscription_buffer: must be in 1…1000000, got \(value) (Reactor.toml:2)"), "\(error.message)")
        }
        #expect(ReactorConfiguration.defaults.server.subscriptionBuffer == 10_000)
        #expect(ReactorConfiguration.starterFile.contains("subscription_buffer = 10000"))
    }

    @Test func historyReplayBound() throws {
        let error = try configError("[reactor]\nmax_history_replay_operations = 0\n")
        #expect(error.message.contains("reactor.max_history_replay_operations: must be at least 1, got 0"))
        #expect(try ConfigLoader.parse("[reactor]\nmax_history_replay_operations = 500\n").reactor.maxHistoryReplayOperations == 500)
        #expect(try configError("[reactor]\nmax_jobs_per_commit = 0\n").message.contains("reactor.max_jobs_per_commit: must be in 1…1024, got 0"))
        #expect(try ConfigLoader.parse("").reactor.maxJobsPerCommit == 1)
        #expect(try ConfigLoader.parse("[reactor]\nmax_jobs_per_commit = 16\n").reactor.maxJobsPerCommit == 16)
        #expect(ReactorConfiguration.defaults.reactor.maxHistoryReplayOperations == 100_000)
    }

    @Test func clusterTimings() throws {
        let short = try configError("[reactor]\nheartbeat_seconds = 2\nnode_timeout_seconds = 3\n")
        #expect(short.message.contains("reactor.node_timeout_seconds: must be at least two heartbeats (4.0), got 3.0"), "\(short.message)")
        let zero = try configError("[reactor]\nheartbeat_seconds = 0\n")
        #expect(zero.message.contains("reactor.heartbeat_seconds: must be a number greater than 0, got 0.0"), "\(zero.message)")
    }

    @Test func writeAdmissionAndShutdownDrain() throws {
        let defaults = try ConfigLoader.parse(nil, environment: [:])
        #expect(defaults.reactor.maxPendingJobs == 10_000)
        #expect(defaults.reactor.maxPendingBytes == 128 << 20)
        #expect(defaults.reactor.maxPendingJobsPerDocument == 1_000)
        #expect(defaults.reactor.maxPendingBytesPerDocument == 32 << 20)
        #expect(defaults.reactor.shutdownDrainSeconds == 30)
        let fromEnvironment = try ConfigLoader.parse(nil, environment: [
            "REACTOR_REACTOR__MAX_PENDING_JOBS_PER_DOCUMENT": "20", "REACTOR_REACTOR__SHUTDOWN_DRAIN_SECONDS": "2.5",
        ])
        #expect(fromEnvironment.reactor.maxPendingJobsPerDocument == 20)
        #expect(fromEnvironment.reactor.shutdownDrainSeconds == 2.5)

        let error = try configError("""
            [server]
            max_body_bytes = 2000000
            [reactor]
            max_pending_jobs = 0
            max_pending_jobs_per_document = 5
            max_pending_bytes_per_document = 1000000
            max_pending_bytes = 10
            shutdown_drain_seconds = -1
            """)
        for expected in [
            "reactor.max_pending_jobs: must be at least 1, got 0 (Reactor.toml:4)",
            "reactor.max_pending_jobs_per_document: must be in 1…1 (reactor.max_pending_jobs), got 5 (Reactor.toml:5)",
            "reactor.max_pending_bytes_per_document: must be at least server.max_body_bytes (2000000): the largest request must fit; got 1000000 (Reactor.toml:6)",
            "reactor.max_pending_bytes: must be at least reactor.max_pending_bytes_per_document (1000000), got 10 (Reactor.toml:7)",
            "reactor.shutdown_drain_seconds: must be a number of at least 0, got -1.0 (Reactor.toml:8)",
        ] {
            #expect(error.message.contains(expected), "missing: \(expected)\nin: \(error.message)")
        }
    }

    @Test func postgresWithoutURL() throws {
        let error = try configError("[store]\nbackend = \"postgres\"\n")
        #expect(error.message == "invalid configuration: store.url: is required when store.backend is \"postgres\" (Reactor.toml:2)")
        let fromEnvironment = try configError(nil, environment: ["REACTOR_STORE__BACKEND": "postgres"])
        #expect(fromEnvironment.message.contains("store.url: is required when store.backend is \"postgres\" (environment variable REACTOR_STORE__BACKEND)"))
        // A reference counts as a value (it is checked when resolved).
        let config = try ConfigLoader.parse("[store]\nbackend = \"postgres\"\nurl = \"env:DATABASE_URL\"\n")
        #expect(config.store.url == "env:DATABASE_URL")
    }

    @Test func postgresURLScheme() throws {
        let error = try configError("[store]\nbackend = \"postgres\"\nurl = \"mysql://db/x\"\n")
        #expect(error.message.contains("store.url: must start with postgres:// or postgresql:// (Reactor.toml:3)"))
        #expect(try ConfigLoader.parse("[store]\nbackend = \"postgres\"\nurl = \"postgres://db/x\"\n").store.url == "postgres://db/x")
    }

    @Test func authEnabledWithoutAKeySource() throws {
        let error = try configError("[auth]\nenabled = true\nissuer = \"me\"\n")
        #expect(error.message.contains("auth: auth.enabled is true but no key source is set"))
        #expect(error.message.contains("auth.hmac_secret, auth.public_keys, auth.jwks_url, auth.jwks_file or auth.remote_url"))
        #expect(error.message.contains("(Reactor.toml:2)"))
        #expect(error.details["keys"] == "auth")
        // Any one source is enough.
        for source in [
            "hmac_secret = \"env:HMAC\"", "public_keys = [\"pem\"]", "jwks_url = \"https://x/jwks\"", "jwks_file = \"/j.json\"",
            "remote_url = \"http://verifier\"",
        ] {
            let config = try ConfigLoader.parse("[auth]\nenabled = true\n\(source)\n")
            #expect(config.auth.enabled && config.auth.hasKeySource)
        }
    }

    @Test func shortLiteralHMACSecret() throws {
        let error = try configError("[auth]\nhmac_secret = \"too short\"\n")
        #expect(error.message.contains("auth.hmac_secret: must be at least 32 bytes, got 9 (Reactor.toml:2)"))
        #expect(!error.message.contains("too short"), "the message shows the secret")
    }

    @Test func authURLSchemes() throws {
        let error = try configError("[auth]\njwks_url = \"ftp://x\"\nremote_url = \"verifier:80\"\n")
        #expect(error.message.contains("auth.jwks_url: must start with https:// or http://"))
        #expect(error.message.contains("auth.remote_url: must start with https:// or http://"))
    }

    @Test func vaultReferenceInsideTheVaultSection() throws {
        let error = try configError("[vault]\nkey = \"vault:master/key\"\npath = \"vault:x\"\nkey_file = \"env:KEY_FILE\"\n")
        #expect(error.message.contains("vault.key: vault: references are not allowed in [vault]"))
        #expect(error.message.contains("(Reactor.toml:2)"))
        #expect(error.message.contains("vault.path: vault: references are not allowed in [vault]"))
        #expect(!error.message.contains("vault.key_file"))
        let dataDir = try configError("[server]\ndata_dir = \"vault:dir\"\n")
        #expect(dataDir.message.contains("server.data_dir: vault: references are not allowed here"))
        let fromEnvironment = try configError(nil, environment: ["REACTOR_VAULT__KEY": "vault:k"])
        #expect(fromEnvironment.message.contains("vault.key: vault: references are not allowed in [vault]"))
        #expect(fromEnvironment.message.hasSuffix("(environment variable REACTOR_VAULT__KEY)"))
    }

    @Test func malformedReferences() throws {
        let error = try configError("[auth]\nissuer = \"env:\"\naudience = \"env:1BAD\"\nhmac_secret = \"vault:/abs\"\npublic_keys = [\"ok\", \"vault:a//b\"]\n")
        #expect(error.message.contains("auth.issuer: \"env:\" needs a variable name"))
        #expect(error.message.contains("auth.audience: \"env:1BAD\" is not a valid environment variable name"))
        #expect(error.message.contains("auth.hmac_secret: invalid secret path '/abs'"))
        #expect(error.message.contains("auth.public_keys[1]: invalid secret path 'a//b'"))
    }

    @Test func badTOMLSyntax() throws {
        let error = try configError("[server]\nbind = \"127.0.0.1:8000\"\nmax_body_bytes = = 3\n")
        #expect(error.message.contains("Reactor.toml:3:"))
        #expect(error.message.contains("TOML syntax error"))
        let unterminated = try configError("[server\nbind = 1\n")
        #expect(unterminated.message.contains("Reactor.toml:1:"))
        let duplicate = try configError("[log]\nlevel = \"info\"\nlevel = \"debug\"\n")
        #expect(duplicate.message.contains("Reactor.toml:3:"))
    }

    @Test func badTOMLSyntaxInAFileNamesTheFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("Reactor.toml", "[log]\nlevel = info\n")
        let error = try #require(throws: ReactorError.self) { try ConfigLoader.load(environment: [:], workingDirectory: directory.path) }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("\(path):2:"))
    }

    @Test func everyProblemIsReportedTogether() throws {
        let error = try configError(
            "[server]\nbnd = \"x\"\n[store]\nbackend = \"postgres\"\n[log]\nlevel = 3\n",
            environment: ["REACTOR_AUTH__ENABLED": "maybe", "REACTOR_NOPE__X": "1"],
            overrides: ["reactor.max_concurrency": "0"])
        let keys = Set(error.details["keys"]!.components(separatedBy: ", "))
        #expect(keys == ["server.bnd", "store.url", "log.level", "auth.enabled", "REACTOR_NOPE__X", "reactor.max_concurrency"])
        #expect(error.message.hasPrefix("invalid configuration (6 problems):\n  - "))
        #expect(error.details["problems"]?.split(separator: "\n").count == 6)
    }
}

@Suite("[signing]", .timeLimit(.minutes(3)))
struct SigningConfigTests {
    @Test func modesAndTrustedKeys() throws {
        #expect(ReactorConfiguration.defaults.signing.mode == .verifyWhenPresent)
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let config = try ConfigLoader.parse("[signing]\nmode = \"required\"\ntrusted_keys = [\"\(key)\"]\n")
        #expect(config.signing.mode == .required)
        #expect(config.signing.trustedKeys == [key])
        #expect(try ConfigLoader.parse("[signing]\nmode = \"off\"\n").signing.mode == .off)
    }

    @Test func badValuesAreNamed() throws {
        let mode = try configError("[signing]\nmode = \"sometimes\"\n")
        #expect(mode.message.contains("signing.mode"))
        #expect(mode.message.contains("\"off\", \"verify-when-present\", \"required\""))
        let key = try configError("[signing]\ntrusted_keys = [\"bm90IGEga2V5\"]\n")
        #expect(key.message.contains("signing.trusted_keys[0]"))
        #expect(key.message.contains("not a base64 raw public key"))
    }
}
