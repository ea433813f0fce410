import Foundation
import ReactorConfig
import ReactorCore
import Testing

@Suite("Loading Reactor.toml", .timeLimit(.minutes(3)))
struct ConfigLoadingTests {
    @Test func defaultsWithNoFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let config = try ConfigLoader.load(environment: [:], workingDirectory: directory.path)
        #expect(config == .defaults)
        #expect(ConfigLoader.configFile(explicit: nil, workingDirectory: directory.path) == nil)
        #expect(config.server.bind == BindAddress(host: "127.0.0.1", port: 8000))
        #expect(config.server.bind.description == "127.0.0.1:8000")
        #expect(config.server.dataDir == ".reactor")
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.store == .init(backend: .sqlite, path: "", url: "", durability: .normal, migrate: .auto))
        #expect(config.reactor == .init(maxConcurrency: 8, jobTimeoutSeconds: 30, keyframeInterval: 100, consistencyTimeoutSeconds: 5))
        #expect(config.vault == .init(backend: .file, path: "", key: "", keyFile: ""))
        #expect(config.auth == .init(enabled: false, leewaySeconds: 60))
        #expect(config.auth.publicKeys.isEmpty)
        #expect(config.log.level == .info)
        #expect(config.storePath == ".reactor/reactor.sqlite")
        #expect(config.vaultPath == ".reactor/vault.enc")
        #expect(config.vaultKeyFile == ".reactor/vault.key")
        #expect(!config.isResolved)
        #expect(config.source(of: "server.bind") == "default value")
        try config.validate()
    }

    @Test func theDefaultFileInTheWorkingDirectoryIsRead() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("Reactor.toml", "[server]\nbind = \"0.0.0.0:9000\"\n")
        #expect(ConfigLoader.configFile(explicit: nil, workingDirectory: directory.path) == path)
        let config = try ConfigLoader.load(environment: [:], workingDirectory: directory.path)
        #expect(config.server.bind == BindAddress(host: "0.0.0.0", port: 9000))
        #expect(config.source(of: "server.bind") == "\(path):2")
    }

    @Test func anExplicitFileIsReadRelativeToTheWorkingDirectory() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("custom.toml", "[log]\nlevel = \"debug\"\n")
        let config = try ConfigLoader.load(file: "custom.toml", environment: [:], workingDirectory: directory.path)
        #expect(config.log.level == .debug)
    }

    @Test func anExplicitMissingFileIsAnError() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let error = try #require(throws: ReactorError.self) {
            try ConfigLoader.load(file: "nope/Reactor.toml", environment: [:], workingDirectory: directory.path)
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("\(directory.path)/nope/Reactor.toml"))
        #expect(error.message.contains("does not exist"))
    }

    @Test func aFullFile() throws {
        let toml = """
            # every key, none at its default
            [server]
            bind = "[::1]:8443"
            data_dir = "/var/lib/reactor"
            max_body_bytes = 4096

            [store]
            backend = "postgres"
            path = "/ignored/for/postgres.sqlite"
            url = "postgresql://reactor@db:5432/reactor"
            durability = "full"
            migrate = "manual"

            [reactor]
            max_concurrency = 64
            job_timeout_seconds = 2.5
            keyframe_interval = 1
            consistency_timeout_seconds = 10   # an integer is fine for a number

            [vault]
            backend = "none"
            path = "/secrets/vault.enc"
            key = "env:REACTOR_VAULT_KEY"
            key_file = "/secrets/vault.key"

            [auth]
            enabled = true
            issuer = "https://issuer.example"
            audience = "reactor"
            hmac_secret = "0123456789abcdef0123456789abcdef"
            public_keys = ["-----BEGIN PUBLIC KEY-----\\nAAA\\n-----END PUBLIC KEY-----", '''
            -----BEGIN PUBLIC KEY-----
            BBB
            -----END PUBLIC KEY-----''']
            jwks_url = "https://issuer.example/.well-known/jwks.json"
            jwks_file = "/etc/reactor/jwks.json"
            remote_url = "http://auth.internal/verify"
            leeway_seconds = 0

            [log]
            level = "warning"
            """
        let config = try ConfigLoader.parse(toml)
        #expect(config.server == .init(bind: BindAddress(host: "::1", port: 8443), dataDir: "/var/lib/reactor", maxBodyBytes: 4096))
        #expect(config.server.bind.description == "[::1]:8443")
        #expect(config.store == .init(
            backend: .postgres, path: "/ignored/for/postgres.sqlite", url: "postgresql://reactor@db:5432/reactor",
            durability: .full, migrate: .manual))
        #expect(config.reactor == .init(maxConcurrency: 64, jobTimeoutSeconds: 2.5, keyframeInterval: 1, consistencyTimeoutSeconds: 10))
        #expect(config.vault == .init(backend: .none, path: "/secrets/vault.enc", key: "env:REACTOR_VAULT_KEY", keyFile: "/secrets/vault.key"))
        #expect(config.auth.enabled)
        #expect(config.auth.issuer == "https://issuer.example")
        #expect(config.auth.audience == "reactor")
        #expect(config.auth.hmacSecret == "0123456789abcdef0123456789abcdef")
        #expect(config.auth.publicKeys == [
            "-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nBBB\n-----END PUBLIC KEY-----",
        ])
        #expect(config.auth.jwksURL == "https://issuer.example/.well-known/jwks.json")
        #expect(config.auth.jwksFile == "/etc/reactor/jwks.json")
        #expect(config.auth.remoteURL == "http://auth.internal/verify")
        #expect(config.auth.leewaySeconds == 0)
        #expect(config.log.level == .warning)
        #expect(config.storePath == "/ignored/for/postgres.sqlite")
        #expect(config.vaultPath == "/secrets/vault.enc")
        #expect(config.vaultKeyFile == "/secrets/vault.key")
        #expect(config.source(of: "log.level") == "Reactor.toml:41")
    }

    @Test func pathsDefaultUnderTheDataDirectory() throws {
        let config = try ConfigLoader.parse("[server]\ndata_dir = \"/srv/reactor/\"\n[store]\npath = \"\"\n")
        #expect(config.storePath == "/srv/reactor/reactor.sqlite")
        #expect(config.vaultPath == "/srv/reactor/vault.enc")
        #expect(config.vaultKeyFile == "/srv/reactor/vault.key")
    }

    @Test func dottedKeysAndInlineTablesWork() throws {
        let config = try ConfigLoader.parse("""
            server.bind = "0.0.0.0:1"
            log = { level = "error" }
            """)
        #expect(config.server.bind.port == 1)
        #expect(config.log.level == .error)
    }

    @Test(arguments: [
        ("127.0.0.1:8000", "127.0.0.1", 8000),
        ("0.0.0.0:1", "0.0.0.0", 1),
        ("localhost:65535", "localhost", 65535),
        ("my-host.example.com:443", "my-host.example.com", 443),
        ("[::1]:8000", "::1", 8000),
        ("[::]:80", "::", 80),
        ("[fe80::1%eth0]:9000", "fe80::1%eth0", 9000),
    ])
    func bindAddresses(_ text: String, _ host: String, _ port: Int) throws {
        let address = try BindAddress(parsing: text)
        #expect(address == BindAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test(arguments: [
        "", "8000", ":8000", "localhost", "localhost:", "localhost:65536", "localhost:99999999999",
        "localhost:-1", "localhost:80a", "::1:8000", "[::1]", "[::1]8000", "[::1:8000", "[]:80", "[1.2.3.4]:80",
        "ho st:80", "host/x:80", "env:", "env:1BIND",
    ])
    func badBindAddresses(_ text: String) throws {
        #expect(throws: ReactorError.self) { try BindAddress(parsing: text) }
        let error = try configError("[server]\nbind = \(ConfigTestSupport.quote(text))\n")
        #expect(error.message.contains("server.bind"))
        #expect(error.message.contains("Reactor.toml:2"))
    }
}

enum ConfigTestSupport {
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
