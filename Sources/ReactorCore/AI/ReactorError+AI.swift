extension ReactorError.Code {
    /// The upstream of an AI request failed: a 5xx, a refused or dropped connection, an answer that is not the
    /// OpenAI format, a stream cut before its end (`details.provider`, `details.status` for an HTTP answer,
    /// `details.reason`). A gateway alias falls through to its next target. HTTP 502.
    public static let aiUpstreamUnavailable = ReactorError.Code("AI_UPSTREAM_UNAVAILABLE")
    /// The upstream did not answer in time (connect, whole answer, or a streamed chunk; `details.provider`). A
    /// gateway alias falls through to its next target. HTTP 504.
    public static let aiUpstreamTimeout = ReactorError.Code("AI_UPSTREAM_TIMEOUT")
    /// The upstream refused the request as the caller's error (a 4xx: a bad parameter, a context too long); the
    /// upstream's message is passed on, `details.status` is its status, which is also the answer's. Not retried on
    /// another target.
    public static let aiUpstreamRejected = ReactorError.Code("AI_UPSTREAM_REJECTED")
    /// No alias, and no `provider:model` of a configured provider, has this name (`details.model`). HTTP 404.
    public static let aiModelNotFound = ReactorError.Code("AI_MODEL_NOT_FOUND")
    /// The caller spent its token budget for the day (`details.limit`, `details.used`, `details.retryAfterSeconds`
    /// until the budget renews at midnight UTC). HTTP 429 with `Retry-After`.
    public static let aiBudgetExceeded = ReactorError.Code("AI_BUDGET_EXCEEDED")
    /// The AI gateway is off on this server (`[ai] enabled = false`, or the `AI` trait compiled out). HTTP 404.
    public static let aiDisabled = ReactorError.Code("AI_DISABLED")
}

extension ReactorError {
    /// Whether a gateway alias tries its next target after this error: an upstream that failed or timed out, never
    /// the caller's own error.
    public var fallsThrough: Bool {
        code == .aiUpstreamUnavailable || code == .aiUpstreamTimeout
    }
}
