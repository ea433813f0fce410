import ReactorCore

/// Where a ``RemoteReactorClient`` finds its server, how it authenticates, and how long it waits.
public struct RemoteClientConfiguration: Sendable {
    /// The server's base URL, `http://host:port` (the API is under `/reactor/v1`).
    public var baseURL: String
    /// The bearer token sent with every request (nil: none; a server without `[auth]` needs none).
    public var token: String?
    /// How long one request may take, a write's wait for `READ_READY` included (subscriptions are not bounded).
    public var timeout: Duration
    /// How a subscription reconnects after its connection dropped.
    public var reconnect: ReconnectPolicy

    /// A configuration for the server at `baseURL`.
    public init(baseURL: String, token: String? = nil, timeout: Duration = .seconds(60), reconnect: ReconnectPolicy = ReconnectPolicy()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.timeout = timeout
        self.reconnect = reconnect
    }
}

/// How a subscription of a ``RemoteReactorClient`` reconnects when its connection drops (the server restarted, a
/// proxy cut it, the network failed): after `initialDelay`, doubling up to `maxDelay`, until it is back, or until
/// `maxAttempts` attempts in a row failed (then iterating throws `PEER_UNAVAILABLE`). It resumes after the last
/// change it delivered, so no change is lost or repeated.
///
/// A refusal is not retried: a 4xx answer (a token no longer accepted, a resume position the server does not have)
/// ends the iteration with its error.
public struct ReconnectPolicy: Sendable {
    /// The wait before the first reconnection attempt.
    public var initialDelay: Duration
    /// The longest wait between two attempts.
    public var maxDelay: Duration
    /// How many attempts in a row may fail before the subscription gives up (nil: it never does).
    public var maxAttempts: Int?
    /// How a wait is made (by default `Task.sleep`): a test may inject its own clock.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// A policy: by default 100 ms doubling up to 5 s, without end.
    public init(initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5), maxAttempts: Int? = nil,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
        self.sleep = sleep
    }

    /// The wait before attempt `attempt` (1-based).
    func delay(before attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) where delay < maxDelay { delay *= 2 }
        return min(delay, maxDelay)
    }
}
