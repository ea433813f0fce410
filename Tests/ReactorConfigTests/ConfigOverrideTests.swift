import ReactorConfig
import ReactorCore
import Testing

@Suite("Environment and command-line overrides", .timeLimit(.minutes(3)))
struct ConfigOverrideTests {
    let file = """
        [server]
        bind = "127.0.0.1:7000"
        data_dir = "/from/file"
        [auth]
        enabled = false
        """

    @Test func environmentBeatsTheFile() throws {
        let config = try ConfigLoader.parse(file, environment: ["REACTOR_SERVER__BIND": "0.0.0.0:8080"])
        #expect(config.server.bind == BindAddress(host: "0.0.0.0", port: 8080))
        #expect(config.server.dataDir == "/from/file")
        #expect(config.source(of: "server.bind") == "environment variable REACTOR_SERVER__BIND")
        #expect(config.source(of: "server.data_dir") == "Reactor.toml:3")
    }

    @Test func commandLineBeatsTheEnvironment() throws {
        let config = try ConfigLoader.parse(
            file, environment: ["REACTOR_SERVER__BIND": "0.0.0.0:8080", "REACTOR_SERVER__DATA_DIR": "/from/env"],
            overrides: ["server.bind": "0.0.0.0:9000"])
        #expect(config.server.bind.port == 9000)
        #expect(config.server.dataDir == "/from/env")
        #expect(config.source(of: "server.bind") == "command-line override server.bind")
    }

    @Test func environmentValuesAreReadAsTheKeysType() throws {
        let config = try ConfigLoader.parse(nil, environment: [
            "REACTOR_AUTH__ENABLED": "1",
            "REACTOR_AUTH__PUBLIC_KEYS": "pem-one, pem-two,,",
            "REACTOR_SERVER__MAX_BODY_BYTES": " 2048 ",
            "REACTOR_REACTOR__JOB_TIMEOUT_SECONDS": "0.25",
            "REACTOR_REACTOR__CONSISTENCY_TIMEOUT_SECONDS": "7",
            "REACTOR_STORE__BACKEND": "memory",
            "REACTOR_LOG__LEVEL": "trace",
            "REACTOR_STORE__URL": "postgres://u:p@h/db",
        ])
        #expect(config.auth.enabled)
        #expect(config.auth.publicKeys == ["pem-one", "pem-two"])
        #expect(config.server.maxBodyBytes == 2048)
        #expect(config.reactor.jobTimeoutSeconds == 0.25)
        #expect(config.reactor.consistencyTimeoutSeconds == 7)
        #expect(config.store.backend == .memory)
        #expect(config.log.level == .trace)
        #expect(config.store.url == "postgres://u:p@h/db")
        for (text, expected) in [("true", true), ("TRUE", true), ("0", false), ("false", false), ("False", false)] {
            let parsed = try ConfigLoader.parse("[auth]\nenabled = true\nremote_url = \"http://x\"\n", environment: ["REACTOR_AUTH__ENABLED": text])
            #expect(parsed.auth.enabled == expected, "\(text)")
        }
    }

    @Test func arraysAsTOMLLiterals() throws {
        let config = try ConfigLoader.parse(nil, environment: ["REACTOR_AUTH__PUBLIC_KEYS": #"["a,b", 'c', "env:PEM"]"#])
        #expect(config.auth.publicKeys == ["a,b", "c", "env:PEM"])
        let empty = try ConfigLoader.parse("[auth]\npublic_keys = [\"x\"]\n", environment: ["REACTOR_AUTH__PUBLIC_KEYS": ""])
        #expect(empty.auth.publicKeys.isEmpty)
        let bad = try configError(nil, environment: ["REACTOR_AUTH__PUBLIC_KEYS": "[1, 2]"])
        #expect(bad.message.contains("auth.public_keys[0]: expected a string, got an integer (environment variable REACTOR_AUTH__PUBLIC_KEYS)"))
        let broken = try configError(nil, overrides: ["auth.public_keys": "[\"a\""])
        #expect(broken.message.contains("auth.public_keys: is not a valid TOML array"))
    }

    @Test func badEnvironmentValuesNameTheVariable() throws {
        let error = try configError(nil, environment: [
            "REACTOR_AUTH__ENABLED": "yes please",
            "REACTOR_SERVER__MAX_BODY_BYTES": "1MB",
            "REACTOR_REACTOR__JOB_TIMEOUT_SECONDS": "inf",
            "REACTOR_SERVER__BIND": "nowhere",
        ])
        #expect(error.message.contains("auth.enabled: expected a boolean (true or false), got \"yes please\" (environment variable REACTOR_AUTH__ENABLED)"))
        #expect(error.message.contains("server.max_body_bytes: expected an integer, got \"1MB\" (environment variable REACTOR_SERVER__MAX_BODY_BYTES)"))
        #expect(error.message.contains("reactor.job_timeout_seconds: expected a number, got \"inf\" (environment variable REACTOR_REACTOR__JOB_TIMEOUT_SECONDS)"))
        #expect(error.message.contains("server.bind: \"nowhere\" is not a valid address"))
        #expect(error.message.contains("(environment variable REACTOR_SERVER__BIND)"))
    }

    @Test func unknownReactorVariablesAreErrors() throws {
        let error = try configError(nil, environment: ["REACTOR_SERVER__BND": "x"])
        #expect(error.message.contains("REACTOR_SERVER__BND: this environment variable names no configuration key (server.bnd is unknown; did you mean REACTOR_SERVER__BIND?)"))
        let section = try configError(nil, environment: ["REACTOR_DATABASE__URL": "x"])
        #expect(section.message.contains("REACTOR_DATABASE__URL: this environment variable names no configuration key"))
    }

    @Test func otherVariablesAreIgnored() throws {
        let config = try ConfigLoader.parse(nil, environment: [
            "REACTOR_VAULT_KEY": "whatever", "REACTOR_CONFIG": "/x.toml", "REACTOR": "1", "PATH": "/bin",
            "HOME": "/root", "reactor_server__bind": "lowercase is not ours", "MY_REACTOR_SERVER__BIND": "x",
        ])
        #expect(config == .defaults)
    }

    @Test func unknownOverrideKeys() throws {
        let error = try configError(nil, overrides: ["server.bnd": "x", "nosection": "y"])
        #expect(error.message.contains("server.bnd: unknown key in a command-line override (did you mean server.bind?)"))
        #expect(error.message.contains("nosection: unknown key in a command-line override"))
    }

    @Test func overridesAreTyped() throws {
        let config = try ConfigLoader.parse(nil, overrides: [
            "server.data_dir": "/var/x", "reactor.max_concurrency": "16", "auth.enabled": "true",
            "auth.hmac_secret": "env:HMAC_SECRET",
        ])
        #expect(config.server.dataDir == "/var/x")
        #expect(config.reactor.maxConcurrency == 16)
        #expect(config.auth.enabled)
        #expect(config.auth.hmacSecret == "env:HMAC_SECRET")
        let error = try configError(nil, overrides: ["reactor.max_concurrency": "sixteen"])
        #expect(error.message.contains("reactor.max_concurrency: expected an integer, got \"sixteen\" (command-line override reactor.max_concurrency)"))
    }
}
