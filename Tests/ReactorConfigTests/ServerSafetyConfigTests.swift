import ReactorConfig
import ReactorCore
import Testing

/// `server.allowed_hosts` and `server.allowed_origins`: the names and web origins the server accepts.
@Suite("Allowed hosts and origins", .timeLimit(.minutes(1)))
struct ServerSafetyConfigTests {
    @Test func defaultsAreEmptyAndTheStarterFileListsThem() throws {
        #expect(ReactorConfiguration.defaults.server.allowedHosts.isEmpty)
        #expect(ReactorConfiguration.defaults.server.allowedOrigins.isEmpty)
        let starter = ReactorConfiguration.starterFile
        #expect(starter.contains("allowed_hosts = []"))
        #expect(starter.contains("allowed_origins = []"))
        #expect(starter.contains("\"*\" allows every web page"))
    }

    @Test func readFromTheFileAndTheEnvironment() throws {
        let config = try ConfigLoader.parse("""
            [server]
            allowed_hosts = ["reactor.example.com", "10.0.0.7", "[::1]", "::2"]
            allowed_origins = ["https://app.example.com", "http://localhost:3000", "http://[::1]:5173"]
            """)
        #expect(config.server.allowedHosts == ["reactor.example.com", "10.0.0.7", "[::1]", "::2"])
        #expect(config.server.allowedOrigins == ["https://app.example.com", "http://localhost:3000", "http://[::1]:5173"])

        let environment = try ConfigLoader.parse(nil, environment: [
            "REACTOR_SERVER__ALLOWED_HOSTS": "a.example, b.example",
            "REACTOR_SERVER__ALLOWED_ORIGINS": #"["*"]"#,
        ])
        #expect(environment.server.allowedHosts == ["a.example", "b.example"])
        #expect(environment.server.allowedOrigins == ["*"])
        #expect(environment.source(of: "server.allowed_origins") == "environment variable REACTOR_SERVER__ALLOWED_ORIGINS")
    }

    @Test func malformedEntriesNameTheirKey() throws {
        let error = try configError("""
            [server]
            allowed_hosts = ["ok.example", "evil.example:8000", "http://x", "", "a b"]
            allowed_origins = ["https://ok.example", "https://app.example.com/", "app.example.com", "null", "*.example.com"]
            """)
        for expected in [
            "server.allowed_hosts[1]: \"evil.example:8000\" is not a host name or IP address (write it without scheme or port) (Reactor.toml:2)",
            "server.allowed_hosts[2]: \"http://x\" is not a host name",
            "server.allowed_hosts[3]: \"\" is not a host name",
            "server.allowed_hosts[4]: \"a b\" is not a host name",
            "server.allowed_origins[1]: \"https://app.example.com/\" is not an origin scheme://host[:port] (no path, no trailing slash) or \"*\" (Reactor.toml:3)",
            "server.allowed_origins[2]: \"app.example.com\" is not an origin",
            "server.allowed_origins[3]: \"null\" is not an origin",
            "server.allowed_origins[4]: \"*.example.com\" is not an origin",
        ] {
            #expect(error.message.contains(expected), "missing: \(expected)\nin: \(error.message)")
        }
        #expect(!error.message.contains("allowed_hosts[0]"))
        #expect(!error.message.contains("allowed_origins[0]"))
    }

    @Test func referencesAreCheckedOnceResolved() async throws {
        let config = try ConfigLoader.parse("[server]\nallowed_origins = [\"env:APP_ORIGIN\"]\n")
        let resolved = try await config.resolved(environment: ["APP_ORIGIN": "https://app.example.com"], vault: nil)
        #expect(resolved.server.allowedOrigins == ["https://app.example.com"])
        let error = try await #require(throws: ReactorError.self) {
            try await config.resolved(environment: ["APP_ORIGIN": "https://app.example.com/path"], vault: nil)
        }
        #expect(error.message.contains("server.allowed_origins[0]"))
    }

    @Test func originsAndHostNamesNormalize() {
        #expect(WebOrigin("HTTP://LocalHost") == WebOrigin("http://localhost:80"))
        #expect(WebOrigin("https://app.example.com:443") == WebOrigin("https://app.example.com"))
        #expect(WebOrigin("http://localhost:3000") != WebOrigin("http://localhost:3001"))
        #expect(WebOrigin("http://[::1]:8000")?.host == "::1")
        #expect(WebOrigin("http://[::1]:8000")?.description == "http://[::1]:8000")
        #expect(WebOrigin("tauri://localhost")?.port == nil)
        for bad in ["null", "http://", "http://a/b", "http://a:99999", "http://user@a", "//a", "http://a:"] {
            #expect(WebOrigin(bad) == nil, "\(bad)")
        }
        #expect(HostName.authority("Example.COM.:8000")! == ("example.com", 8000))
        #expect(HostName.authority("[::1]")! == ("::1", nil))
        #expect(HostName.authority("[::1]x") == nil)
        #expect(HostName.isWildcard("0.0.0.0") && HostName.isWildcard("::") && !HostName.isWildcard("::1"))
    }
}
