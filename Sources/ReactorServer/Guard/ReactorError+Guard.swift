import HTTPTypes
import ReactorCore

extension ReactorError.Code {
    /// The request's `Host` header names no host this server answers for (421): a DNS-rebinding page, or a name
    /// missing from `server.allowed_hosts`.
    public static let hostNotAllowed = ReactorError.Code("HOST_NOT_ALLOWED")
    /// The request comes from a web page whose origin is neither the server's own nor in `server.allowed_origins`, or
    /// is a cross-site state-changing request without `Origin` (403).
    public static let originNotAllowed = ReactorError.Code("ORIGIN_NOT_ALLOWED")
    /// A state-changing request carries a body that is not `application/json` (415).
    public static let unsupportedMediaType = ReactorError.Code("UNSUPPORTED_MEDIA_TYPE")
    /// A plain HTTP request reached a WebSocket endpoint (426).
    public static let upgradeRequired = ReactorError.Code("UPGRADE_REQUIRED")
}

extension HTTPRequest.Method {
    /// Whether a request of this method may change state: every method but GET, HEAD, OPTIONS and TRACE.
    var isStateChanging: Bool {
        self != .get && self != .head && self != .options && self != .trace
    }
}
