import ReactorConfig

/// What the browser- and network-safety middleware accept: which names a request's `Host` header may give and which
/// web pages (`Origin`) may call the server. See `docs/security.md`, "Browser and network safety".
///
/// Its `Reactor.toml` keys, in `[server]`:
/// - `allowed_hosts` (array of strings, default `[]`, `REACTOR_SERVER__ALLOWED_HOSTS`): host names or IP addresses,
///   without a port, accepted in `Host` besides `localhost`, `127.0.0.1`, `::1` and the bind host of `server.bind`.
///   A server bound to every interface (`0.0.0.0`, `::`) checks `Host` only when this is set.
/// - `allowed_origins` (array of strings, default `[]`, `REACTOR_SERVER__ALLOWED_ORIGINS`): origins
///   `scheme://host[:port]` allowed besides the server's own, answered with CORS headers; `"*"` allows every origin.
///
/// Entries that do not parse are ignored here; the configuration loader refuses them with a message naming the key.
public struct RequestGuardConfiguration: Sendable, Equatable {
    /// `server.allowed_hosts`.
    public var allowedHosts: [String]
    /// `server.allowed_origins`.
    public var allowedOrigins: [String]

    /// A configuration with the given lists (both empty by default: loopback names and the server's own origin only).
    public init(allowedHosts: [String] = [], allowedOrigins: [String] = []) {
        self.allowedHosts = allowedHosts
        self.allowedOrigins = allowedOrigins
    }

    /// The lists of a (resolved) `[server]` section.
    public init(_ server: ReactorConfiguration.ServerSection) {
        self.init(allowedHosts: server.allowedHosts, allowedOrigins: server.allowedOrigins)
    }

    /// The names loopback clients use, accepted in `Host` whenever the check applies.
    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// The `Host` check of a server bound to `bindHost`.
    func hostPolicy(bindHost: String) -> HostPolicy {
        let configured = allowedHosts.compactMap { HostName.normalized($0) }
        let bind = HostName.normalized(bindHost) ?? bindHost.lowercased()
        if HostName.isWildcard(bind) {
            return HostPolicy(names: configured.isEmpty ? nil : Self.loopbackNames.union(configured))
        }
        return HostPolicy(names: Self.loopbackNames.union(configured).union([bind]))
    }

    /// The `Origin` check (and the origins CORS answers for).
    var originPolicy: OriginPolicy {
        OriginPolicy(anyOrigin: allowedOrigins.contains("*"), origins: Set(allowedOrigins.compactMap { WebOrigin($0) }))
    }

    /// A one-line description for the `reactor serve` summary.
    func summary(bindHost: String) -> String {
        let hosts = hostPolicy(bindHost: bindHost).names.map { "Host must be one of " + $0.sorted().joined(separator: ", ") }
            ?? "Host not checked (every interface; set server.allowed_hosts)"
        let origins = allowedOrigins.isEmpty ? "its own origin only" : "its own origin and " + allowedOrigins.joined(separator: ", ")
        return "browsers: \(hosts); pages from \(origins)"
    }
}

/// Which names a request's `Host` header may give (the name only: the port is not compared, since a port forward or
/// a proxy may change it).
struct HostPolicy: Sendable {
    /// The accepted names, normalized; nil when every `Host` is accepted.
    let names: Set<String>?

    /// Whether a request with `Host: authority` is accepted. A request without `Host` is not, when the check applies.
    func allows(_ authority: String?) -> Bool {
        guard let names else { return true }
        guard let authority, let (host, _) = HostName.authority(authority) else { return false }
        return names.contains(host)
    }
}

/// Which web pages may call the server: the server's own origin (the scheme, host and port the request's `Host`
/// header names) and the configured ones. An origin with a `ws:` or `wss:` scheme never comes from a web page (a
/// page's origin is that of its document; some WebSocket client libraries send `ws://host`) and is allowed.
struct OriginPolicy: Sendable {
    /// `"*"` was configured: every origin is allowed.
    let anyOrigin: Bool
    /// The configured origins.
    let origins: Set<WebOrigin>

    /// Whether a request whose `Host` header is `authority` may come from a page at `origin` (the `Origin` header).
    /// `Origin: null` (a sandboxed frame, a file) is allowed only by `"*"`.
    func allows(origin: String, authority: String?) -> Bool {
        if anyOrigin { return true }
        guard let parsed = WebOrigin(origin) else { return false }
        if origins.contains(parsed) || parsed.scheme == "ws" || parsed.scheme == "wss" { return true }
        guard parsed.scheme == "http" || parsed.scheme == "https",
            let authority, let (host, port) = HostName.authority(authority)
        else { return false }
        return parsed.host == host && parsed.port == (port ?? WebOrigin.defaultPort(of: parsed.scheme))
    }
}
