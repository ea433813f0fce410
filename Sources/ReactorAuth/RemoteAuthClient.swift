import AsyncHTTPClient
import Foundation
import ReactorCore

/// Verifies tokens by asking another Reactor (``AuthClient``): `GET {baseURL}/reactor/v1/auth/me` with
/// `Authorization: Bearer <token>`.
///
/// - 200 with `{"claims": …}` → the claims;
/// - 401 or 403 with `{"error": {"code", "message"}}` → a ``ReactorError`` with that code and message (without a
///   readable body: `UNAUTHENTICATED` for 401, `FORBIDDEN` for 403);
/// - unreachable, timed out, or a 5xx → `AUTH_UNAVAILABLE`, transient; any other answer → `AUTH_UNAVAILABLE`.
///
/// Positive answers can be cached briefly (``init(baseURL:httpClient:timeout:cacheTTL:cacheCapacity:now:)``).
/// The client uses the `HTTPClient` it is given and never creates one, so there is nothing to shut down.
public struct RemoteAuthClient: AuthClient {
    /// The path asked on the remote Reactor.
    public static let mePath = "/reactor/v1/auth/me"

    /// The URL asked: the base URL (without trailing slashes) plus ``mePath``.
    public let endpoint: String
    /// The remote Reactor's base URL, without trailing slashes.
    public let baseURL: String
    /// The credential ``user(id:)`` sends (an admin API key of the remote identity service); nil: no user lookups.
    private let serviceToken: String?
    private let httpClient: HTTPClient
    private let timeoutMilliseconds: Int64
    private let cache: ClaimsCache?
    private let now: @Sendable () -> Date

    /// The largest answer read.
    static let maximumBodySize = 256 * 1024

    /// A client for the Reactor at `baseURL`.
    ///
    /// - Parameters:
    ///   - baseURL: The remote Reactor, e.g. `https://auth.internal:8080` (a path prefix is kept).
    ///   - httpClient: The client to send requests with (not shut down by this client).
    ///   - timeout: Seconds one request may take.
    ///   - cacheTTL: When more than 0, positive answers are reused for up to this many seconds (never past the
    ///     token's `exp`).
    ///   - cacheCapacity: The most tokens cached.
    ///   - now: The clock for cache expiry.
    ///   - serviceToken: What ``user(id:)`` authenticates with: an API key with the `admin` role of the remote
    ///     Reactor's identity service. Without it, ``user(id:)`` answers `UNSUPPORTED`.
    /// - Throws: `CONFIG_INVALID` naming `baseURL`, `timeout`, `cacheTTL` or `cacheCapacity`.
    public init(
        baseURL: String, httpClient: HTTPClient = .shared, timeout: TimeInterval = 5, cacheTTL: TimeInterval = 0,
        cacheCapacity: Int = 1024, now: @escaping @Sendable () -> Date = { Date() }, serviceToken: String? = nil
    ) throws(ReactorError) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw JWTAuthConfiguration.invalid("baseURL", "baseURL '\(baseURL)' is not an http(s) URL")
        }
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw JWTAuthConfiguration.invalid("timeout", "timeout is \(timeout); expected more than 0 to 3600 seconds")
        }
        guard cacheTTL.isFinite, cacheTTL >= 0, cacheTTL <= 86400 else {
            throw JWTAuthConfiguration.invalid("cacheTTL", "cacheTTL is \(cacheTTL); expected 0 to 86400 seconds")
        }
        guard cacheCapacity > 0 else {
            throw JWTAuthConfiguration.invalid(
                "cacheCapacity", "cacheCapacity is \(cacheCapacity); expected at least 1")
        }
        self.endpoint = base + Self.mePath
        self.baseURL = base
        self.serviceToken = serviceToken
        self.httpClient = httpClient
        self.timeoutMilliseconds = Int64((timeout * 1000).rounded())
        self.cache = cacheTTL > 0 ? ClaimsCache(ttl: cacheTTL, capacity: cacheCapacity) : nil
        self.now = now
    }

    /// Asks the remote Reactor about `token` (see the type's documentation for the answers and their errors).
    public func verify(token: String) async throws -> AuthClaims {
        try await verifyToken(token)
    }

    /// ``verify(token:)`` with a typed error: always a ``ReactorError``.
    public func verifyToken(_ token: String) async throws(ReactorError) -> AuthClaims {
        try TokenText.check(token)
        let cacheKey = cache.map { _ in ClaimsCache.key(token) }
        if let cache, let cacheKey, let claims = cache.claims(for: cacheKey, now: now()) {
            return claims
        }
        let (status, body) = try await ask(token)
        switch status {
        case 200:
            guard let answer = try? JSONDecoder().decode(AuthMeResponse.self, from: Data(body)) else {
                throw ReactorError(
                    .authUnavailable, "\(endpoint) answered 200 without a {\"claims\": …} body",
                    details: ["url": endpoint])
            }
            if let cache, let cacheKey { cache.store(answer.claims, for: cacheKey, now: now()) }
            return answer.claims
        case 401, 403:
            if let remote = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) {
                throw ReactorError(
                    ReactorError.Code(remote.error.code), remote.error.message, details: remote.error.details ?? [:])
            }
            throw status == 401
                ? ReactorError(.unauthenticated, "\(endpoint) rejected the token (HTTP 401)")
                : ReactorError(.forbidden, "\(endpoint) refused the token (HTTP 403)")
        case 500...599:
            let reason = (try? JSONDecoder().decode(ErrorBody.self, from: Data(body))).map { ": \($0.error.message)" }
            throw ReactorError(
                .authUnavailable, "\(endpoint) answered HTTP \(status)\(reason ?? "")", details: ["url": endpoint],
                isTransient: true)
        default:
            throw ReactorError(.authUnavailable, "\(endpoint) answered HTTP \(status)", details: ["url": endpoint])
        }
    }

    /// The user `id`, asked of the remote identity service: `GET {baseURL}/auth/v1/users/{id}` with the
    /// ``init(baseURL:httpClient:timeout:cacheTTL:cacheCapacity:now:serviceToken:)``'s service token.
    ///
    /// - Throws: `USER_NOT_FOUND` (404), the remote error for 401/403, `AUTH_UNAVAILABLE` when it cannot be reached or
    ///   answers otherwise, `UNSUPPORTED` without a service token.
    public func user(id: String) async throws -> AuthUser {
        guard let serviceToken else {
            throw ReactorError(.unsupported, "this remote auth client has no service token for user lookups")
        }
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
        let url = baseURL + "/auth/v1/users/" + encoded
        let (status, body) = try await ask(serviceToken, url: url)
        switch status {
        case 200:
            guard let user = try? JSONValueCoder.decode(AuthUser.self, from: JSONValueCoder.parse(body)) else {
                throw ReactorError(.authUnavailable, "\(url) answered 200 without a user", details: ["url": url])
            }
            return user
        case 404:
            throw ReactorError(.userNotFound, "no user '\(id)'")
        case 401, 403:
            if let remote = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) {
                throw ReactorError(ReactorError.Code(remote.error.code), remote.error.message)
            }
            throw ReactorError(.unauthenticated, "\(url) refused the service token (HTTP \(status))")
        default:
            throw ReactorError(
                .authUnavailable, "\(url) answered HTTP \(status)", details: ["url": url], isTransient: status >= 500)
        }
    }

    /// The status and body of the answer, or `AUTH_UNAVAILABLE` (transient) when there is none.
    private func ask(_ token: String, url: String? = nil) async throws(ReactorError) -> (status: Int, body: [UInt8]) {
        let endpoint = url ?? self.endpoint
        do {
            var request = HTTPClientRequest(url: endpoint)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await httpClient.execute(request, timeout: .milliseconds(timeoutMilliseconds))
            let buffer = try await response.body.collect(upTo: Self.maximumBodySize)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw ReactorError(
                .authUnavailable, "\(endpoint) could not be reached: \(error)", details: ["url": endpoint],
                isTransient: true)
        }
    }

    /// `{"error": {"code", "message", "details"?}}`.
    private struct ErrorBody: Decodable {
        struct Payload: Decodable {
            var code: String
            var message: String
            var details: [String: String]?
        }
        var error: Payload
    }
}
