import ReactorConfig

/// The limits and timeouts of client connections (the `[server]` keys `max_connections`,
/// `header_read_timeout_seconds`, `idle_timeout_seconds`, `max_header_bytes`, `max_url_bytes` and
/// `shutdown_timeout_seconds`; see `docs/operations.md`, "Connections").
public struct ConnectionLimits: Sendable, Equatable {
    /// How many connections may be open at once; one more is answered 503 `TOO_MANY_CONNECTIONS` and closed.
    public var maxConnections: Int
    /// How long a request head may take to arrive, from the connection's start or the request's first byte; then
    /// 408 `REQUEST_TIMEOUT` (or, when nothing arrived, no answer) and the connection is closed.
    public var headerReadTimeout: Duration
    /// How long a keep-alive connection may wait for its next request (or a request body for its next bytes).
    public var idleTimeout: Duration
    /// The largest request head (URL and header fields), in bytes; larger is 431 `HEADERS_TOO_LARGE`.
    public var maxHeaderBytes: Int
    /// The longest request target (path and query), in bytes; longer is 414 `URL_TOO_LONG`.
    public var maxURLBytes: Int
    /// How long a graceful shutdown waits for open connections before it closes them.
    public var shutdownTimeout: Duration

    /// Limits with the given values (the defaults are those of `Reactor.toml`).
    public init(
        maxConnections: Int = 1024, headerReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
        maxHeaderBytes: Int = 32_768, maxURLBytes: Int = 8192, shutdownTimeout: Duration = .seconds(10)
    ) {
        self.maxConnections = maxConnections
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxURLBytes = maxURLBytes
        self.shutdownTimeout = shutdownTimeout
    }

    /// The limits of a (validated) `[server]` section.
    public init(_ server: ReactorConfiguration.ServerSection) {
        self.init(
            maxConnections: server.maxConnections, headerReadTimeout: .seconds(server.headerReadTimeoutSeconds),
            idleTimeout: .seconds(server.idleTimeoutSeconds), maxHeaderBytes: server.maxHeaderBytes,
            maxURLBytes: server.maxURLBytes, shutdownTimeout: .seconds(server.shutdownTimeoutSeconds))
    }
}
