import AsyncHTTPClient
import Foundation
import JWTKit
import ReactorCore

/// Verifies JWTs in process (``AuthClient``): HS256 (HS384/HS512 with long secrets), RS256, ES256 (ES384/ES512),
/// EdDSA and any RSA/PS/EC/OKP key from a JSON Web Key Set, given as text or fetched from a URL.
///
/// Checks, in order, each failure with its own code:
/// 1. the token is three base64url parts, with a JSON header (a string `alg`) and a JSON-object payload whose
///    registered claims have the right types → else `TOKEN_MALFORMED`; an `alg` that is not a JWS signature
///    algorithm → `TOKEN_MALFORMED`;
/// 2. `alg: none` → `TOKEN_SIGNATURE_INVALID` (unsigned tokens are never accepted);
/// 3. a trusted key of the token's `alg` signed it → else `TOKEN_SIGNATURE_INVALID` (also when no key matches).
///    A token with a `kid` is checked with the keys of that `kid` and the keys configured without one (HMAC secrets,
///    PEMs), then the JWKS URL's keys of that `kid` (refetched once, within the refresh interval, when no key has
///    it); a token without `kid` is checked with every key of its `alg`;
/// 4. `sub` is present and not empty (and `exp` present when required) → else `TOKEN_MALFORMED`;
/// 5. `exp` and `nbf` hold, with the leeway → else `TOKEN_EXPIRED`;
/// 6. `iss` equals the configured issuer → else `TOKEN_ISSUER_INVALID`;
/// 7. `aud` contains the configured audience → else `TOKEN_AUDIENCE_INVALID`.
///
/// A JWKS URL that cannot be fetched while its keys are needed (no other key was tried) gives `AUTH_UNAVAILABLE`
/// (transient).
public struct JWTAuthClient: AuthClient {
    /// JWS signature algorithms Reactor verifies. Any other `alg` is a malformed token.
    static let signatureAlgorithms: Set<String> = [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "EdDSA",
    ]

    /// The configuration this client was built from.
    public let configuration: JWTAuthConfiguration
    private let staticKeys: [VerificationKey]
    private let remoteKeys: JWKSCache?
    private let now: @Sendable () -> Date
    private let seenUsers = SeenUsers()
    /// Tokens verified recently (by their SHA-256), so that a client's next requests with the same token skip the
    /// signature check: kept at most ``verifiedTokenTTL`` and never past the token's `exp`.
    private let verified = ClaimsCache(ttl: Self.verifiedTokenTTL, capacity: Self.verifiedTokenCapacity)

    /// How long a verified token is remembered (never past its `exp`): a key dropped from a JWKS stops accepting its
    /// tokens within this time.
    public static let verifiedTokenTTL: TimeInterval = 60
    /// How many verified tokens are remembered.
    public static let verifiedTokenCapacity = 10_000

    /// Builds a verifier: validates `configuration` and loads every configured key.
    ///
    /// - Parameters:
    ///   - configuration: What to trust and check.
    ///   - httpClient: Fetches ``JWTAuthConfiguration/jwksURL`` (not shut down by this client).
    ///   - now: The clock for `exp`/`nbf` and for JWKS refresh timing.
    /// - Throws: `CONFIG_INVALID` naming the bad field (a short HMAC secret, an unreadable PEM, a JWKS with no
    ///   usable key, a bad URL or interval).
    public init(
        configuration: JWTAuthConfiguration, httpClient: HTTPClient = .shared,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws(ReactorError) {
        try configuration.validate()
        var keys: [VerificationKey] = []
        for (index, secret) in configuration.hmacSecrets.enumerated() {
            let field = "hmacSecrets[\(index)]"
            do {
                keys += try await VerificationKey.hmac(secret: secret, source: field)
            } catch {
                throw JWTAuthConfiguration.invalid(field, "\(field) could not be used as an HMAC key: \(error)")
            }
        }
        for (index, pem) in configuration.publicKeysPEM.enumerated() {
            let field = "publicKeysPEM[\(index)]"
            do {
                keys.append(try await VerificationKey.pem(PEMKey.parse(pem), source: field))
            } catch let error as PEMKey.Failure {
                throw JWTAuthConfiguration.invalid(field, "\(field) \(error.reason)")
            } catch {
                throw JWTAuthConfiguration.invalid(field, "\(field) could not be used as a key: \(error)")
            }
        }
        if let jwks = configuration.jwks {
            let loaded: (keys: [VerificationKey], skipped: [String])
            do {
                loaded = try await VerificationKey.jwks(Data(jwks.utf8), source: "jwks")
            } catch {
                throw JWTAuthConfiguration.invalid("jwks", "jwks \(error.reason)")
            }
            if loaded.keys.isEmpty {
                let why = loaded.skipped.isEmpty ? "it has no keys" : loaded.skipped.joined(separator: "; ")
                throw JWTAuthConfiguration.invalid("jwks", "jwks has no usable signing key: \(why)")
            }
            keys += loaded.keys
        }
        self.configuration = configuration
        self.staticKeys = keys
        self.now = now
        self.remoteKeys = configuration.jwksURL.map {
            JWKSCache(
                url: $0, httpClient: httpClient, minimumRefreshInterval: configuration.jwksMinimumRefreshInterval,
                maximumAge: configuration.jwksMaximumAge, timeout: configuration.jwksTimeout, now: now)
        }
    }

    /// Verifies `token` (see the type's documentation for the checks and their error codes).
    public func verify(token: String) async throws -> AuthClaims {
        try await verifyToken(token)
    }

    /// ``verify(token:)`` with a typed error: always a ``ReactorError``.
    public func verifyToken(_ token: String) async throws(ReactorError) -> AuthClaims {
        let key = ClaimsCache.key(token)
        let start = now()
        if let claims = verified.claims(for: key, now: start) { return claims }
        let jwt = try CompactJWT(parsing: token)
        if jwt.algorithm.lowercased() == "none" {
            throw ReactorError(.tokenSignature, "unsigned tokens (alg 'none') are not accepted")
        }
        guard Self.signatureAlgorithms.contains(jwt.algorithm) else {
            throw ReactorError(
                .tokenMalformed, "the token's alg '\(Self.printable(jwt.algorithm))' is not a supported JWS algorithm")
        }
        try await checkSignature(jwt)
        let claims = try checkClaims(jwt.claims)
        seenUsers.record(claims)
        verified.store(claims, for: key, now: start)
        return claims
    }

    /// The user `id` as the claims of its last verified token describe it (an external identity provider keeps the
    /// users; this verifier knows only what their tokens said): id, roles, and the token's `iat` as `createdAt`.
    ///
    /// - Throws: `USER_NOT_FOUND` when no token of `id` was verified by this client (or it was forgotten: the
    ///   ``SeenUsers/capacity`` most recent subjects are kept).
    public func user(id: String) async throws -> AuthUser {
        guard let user = seenUsers.user(id: id) else {
            throw ReactorError(.userNotFound, "no verified token of user '\(Self.printable(id))' was seen")
        }
        return user
    }

    /// Fetches ``JWTAuthConfiguration/jwksURL`` now (for example at boot, to fail early). Does nothing without one.
    ///
    /// - Throws: `AUTH_UNAVAILABLE` when the fetch fails or the document is not a JWKS.
    public func refreshKeys() async throws(ReactorError) {
        try await remoteKeys?.refreshNow()
    }

    /// How many times ``JWTAuthConfiguration/jwksURL`` was fetched (0 without one).
    public func jwksFetchCount() async -> Int {
        await remoteKeys?.fetchCount ?? 0
    }

    /// Finds a trusted key that signed `jwt`, trying the configured keys before the JWKS URL's (so a JWKS URL that
    /// is down does not delay tokens that configured keys verify). An unknown `kid` refetches the JWKS URL.
    private func checkSignature(_ jwt: CompactJWT) async throws(ReactorError) {
        var tried = false
        func attempt(_ keys: [VerificationKey]) -> Bool {
            for key in keys where key.algorithm == jwt.algorithm {
                tried = true
                if key.verifies(signature: jwt.signature, signingInput: jwt.signingInput) { return true }
            }
            return false
        }
        let kid = jwt.keyID
        // Configured keys: with a kid, the keys of that kid and then those configured without one.
        let local =
            kid == nil ? staticKeys : staticKeys.filter { $0.keyID == kid } + staticKeys.filter { $0.keyID == nil }
        if attempt(local) { return }

        var remoteError: ReactorError?
        if let remoteKeys {
            do {
                var remote = try await remoteKeys.currentKeys()
                if attempt(remote.filter { kid == nil || $0.keyID == kid }) { return }
                let known = (staticKeys + remote).contains { $0.keyID == kid && $0.algorithm == jwt.algorithm }
                if kid != nil, !known, let refreshed = try await remoteKeys.refreshForUnknownKey() {
                    remote = refreshed
                    if attempt(remote.filter { $0.keyID == kid }) { return }
                }
            } catch {
                remoteError = error
            }
        }

        if tried {
            throw ReactorError(
                .tokenSignature, "the token's signature does not verify with any trusted \(jwt.algorithm) key")
        }
        if let remoteError { throw remoteError }
        let kidText = kid.map { "kid '\(Self.printable($0))' and " } ?? ""
        throw ReactorError(
            .tokenSignature, "no trusted key for \(kidText)alg '\(jwt.algorithm)'",
            details: kid.map { ["kid": Self.printable($0)] } ?? [:])
    }

    private func checkClaims(_ claims: TokenClaims) throws(ReactorError) -> AuthClaims {
        guard let subject = claims.subject, !subject.isEmpty else {
            throw ReactorError(.tokenMalformed, "the token has no 'sub' claim")
        }
        if configuration.requireExpiration && claims.expiresAt == nil {
            throw ReactorError(.tokenMalformed, "the token has no 'exp' claim")
        }
        let now = now().timeIntervalSince1970
        let leeway = configuration.leeway
        if let exp = claims.expiresAt, now > exp + leeway {
            throw ReactorError(
                .tokenExpired, "the token expired at \(Self.timestamp(exp))", details: ["exp": Self.timestamp(exp)])
        }
        if let nbf = claims.notBefore, now + leeway < nbf {
            throw ReactorError(
                .tokenExpired, "the token is not valid before \(Self.timestamp(nbf))",
                details: ["nbf": Self.timestamp(nbf)])
        }
        if let expected = configuration.issuer, claims.issuer != expected {
            let actual = claims.issuer.map { "'\(Self.printable($0))'" } ?? "no 'iss' claim"
            throw ReactorError(.tokenIssuer, "the token's issuer is \(actual); expected '\(expected)'")
        }
        if let expected = configuration.audience, !(claims.audience ?? []).contains(expected) {
            throw ReactorError(.tokenAudience, "the token is not for audience '\(expected)'")
        }
        return AuthClaims(
            subject: subject,
            issuer: claims.issuer,
            audience: claims.audience ?? [],
            expiresAt: claims.expiresAt.map { Date(timeIntervalSince1970: $0) },
            issuedAt: claims.issuedAt.map { Date(timeIntervalSince1970: $0) },
            roles: claims.roles ?? [])
    }

    /// At most 64 characters of token-controlled text, for messages.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return cleaned.count > 64 ? String(cleaned.prefix(64)) + "…" : cleaned
    }

    private static func timestamp(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
