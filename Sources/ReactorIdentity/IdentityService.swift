import Foundation
import ReactorAuth
import ReactorCore
import Synchronization

/// Reactor's identity service: users, password login, access and refresh tokens, API keys, signing keys.
///
/// - Passwords are hashed with scrypt (``PasswordHasher``); an unknown email costs a dummy hash, so it answers like a
///   wrong password (`INVALID_CREDENTIALS`) in the same time class.
/// - Failed logins are limited per account and per client address (``LoginRateLimiter``): `TOO_MANY_LOGIN_ATTEMPTS`.
/// - Access tokens are ES256 JWTs (``SigningKeyRing``, kept in the vault) valid for
///   ``IdentityConfiguration/accessTokenTTL``; refresh tokens rotate on every use, and a used one presented again
///   revokes its whole session family (`REFRESH_TOKEN_REUSED`).
/// - API keys (`rk_…`) are stored hashed and checked against their user at every use: a revoked key or a disabled
///   user stops them at once.
///
/// Nothing here logs; no secret is kept but as a hash.
public final class IdentityService: Sendable {
    /// The settings.
    public let configuration: IdentityConfiguration
    let store: any IdentityStore
    let vault: any Vault
    let hasher: PasswordHasher
    /// Where hashing runs: off the concurrency pool, one lane per core.
    let lanes = HashingLanes(width: ProcessInfo.processInfo.activeProcessorCount)
    let limiter: LoginRateLimiter
    let now: @Sendable () -> Date
    private let keys: Mutex<KeyState>

    /// The signing keys and what was built from them.
    struct KeyState: Sendable {
        var ring: SigningKeyRing
        var verifier: JWTAuthClient
        var issuer: TokenIssuer
        var loadedAt: Date
    }

    /// Starts the service: loads the signing keys from `vault` (creating them the first time) and prepares the
    /// password hasher.
    ///
    /// - Throws: `CONFIG_INVALID` for bad settings, the vault's errors.
    public init(
        store: any IdentityStore, vault: any Vault, configuration: IdentityConfiguration = IdentityConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        try configuration.validate()
        self.configuration = configuration
        self.store = store
        self.vault = vault
        self.now = now
        self.hasher = try PasswordHasher(parameters: configuration.scrypt)
        self.limiter = LoginRateLimiter(window: configuration.loginWindow)
        let ring: SigningKeyRing
        if let stored = try await SigningKeyRing.load(from: vault) {
            ring = stored
        } else {
            ring = SigningKeyRing.generate(now: now())
            try await ring.save(to: vault)
        }
        self.keys = Mutex(try await Self.keyState(ring, configuration: configuration, now: now))
    }

    static func keyState(
        _ ring: SigningKeyRing, configuration: IdentityConfiguration, now: @escaping @Sendable () -> Date
    ) async throws -> KeyState {
        let jwks = try ring.jwks().canonicalString
        let verifier = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(
                jwks: jwks, issuer: configuration.issuer, audience: configuration.audience, leeway: configuration.leeway),
            now: now)
        return KeyState(ring: ring, verifier: verifier, issuer: try ring.issuer(), loadedAt: now())
    }

    /// The signing keys, reread from the vault when ``IdentityConfiguration/keyReloadInterval`` has passed (so a
    /// rotation by another process is seen).
    func currentKeys() async throws -> KeyState {
        let state = keys.withLock { $0 }
        guard now().timeIntervalSince(state.loadedAt) >= configuration.keyReloadInterval else { return state }
        guard let stored = try await SigningKeyRing.load(from: vault), stored != state.ring else {
            keys.withLock { $0.loadedAt = now() }
            return state
        }
        let fresh = try await Self.keyState(stored, configuration: configuration, now: now)
        keys.withLock { $0 = fresh }
        return fresh
    }

    /// Retires the signing key and starts signing with a new one; keys retired longer ago than
    /// ``IdentityConfiguration/keyRetention`` are dropped. Tokens signed before keep verifying until they expire.
    /// Returns the new key's `kid`.
    @discardableResult
    public func rotateKeys() async throws -> String {
        let ring = try await Self.rotateKeys(in: vault, configuration: configuration, now: now())
        let fresh = try await Self.keyState(ring, configuration: configuration, now: now)
        keys.withLock { $0 = fresh }
        return ring.current.kid
    }

    /// Rotates the ring stored in `vault` (what `reactor auth rotate-keys` does; a running service sees it within
    /// ``IdentityConfiguration/keyReloadInterval``).
    public static func rotateKeys(
        in vault: any Vault, configuration: IdentityConfiguration, now: Date
    ) async throws -> SigningKeyRing {
        let ring = try await SigningKeyRing.load(from: vault) ?? SigningKeyRing.generate(now: now)
        let rotated = ring.rotated(now: now, retention: configuration.keyRetention)
        try await rotated.save(to: vault)
        return rotated
    }

    /// The published keys (`GET /auth/v1/.well-known/jwks.json`): every key whose tokens may still be valid.
    public func jwks() async throws -> JSONValue {
        let state = try await currentKeys()
        return try state.ring.pruned(now: now(), retention: configuration.keyRetention).jwks()
    }

    /// The OpenID Provider metadata (`GET /auth/v1/.well-known/openid-configuration`), with the endpoints under
    /// `baseURL` (the server's public URL, e.g. `https://reactor.example.com`).
    public func discovery(baseURL: String) -> JSONValue {
        let auth = baseURL + "/auth/v1"
        return [
            "issuer": .string(configuration.issuer),
            "jwks_uri": .string(auth + "/.well-known/jwks.json"),
            "token_endpoint": .string(auth + "/login"),
            "userinfo_endpoint": .string(auth + "/me"),
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "grant_types_supported": ["password", "refresh_token"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "roles"],
        ]
    }

    // MARK: - Passwords

    /// The scrypt hash of `password`, computed on a hashing lane.
    func hashPassword(_ password: String) async throws -> String {
        let hasher = self.hasher
        let result: Result<String, ReactorError> = await lanes.run { Result { () throws(ReactorError) in try hasher.hash(password) } }
        return try result.get()
    }

    /// Whether `password` matches `hash`, on a hashing lane; without a hash (no such account) the dummy hash is
    /// checked, at the same cost, and the answer is false.
    func checkPassword(_ password: String, against hash: String?) async -> Bool {
        let hasher = self.hasher
        return await lanes.run { hash.map { hasher.verify(password, against: $0) } ?? hasher.verifyUnknownAccount(password) }
    }

    // MARK: - Verification

    /// Verifies an access token (JWT) or an API key (`rk_…`) and returns its claims.
    ///
    /// - Throws: the JWT codes of ``JWTAuthClient`` (`TOKEN_SIGNATURE_INVALID`, `TOKEN_EXPIRED`, …), `API_KEY_INVALID`
    ///   for an unknown or revoked key, `USER_DISABLED` for a key of a disabled user.
    public func verify(token: String) async throws -> AuthClaims {
        if token.hasPrefix("rk_") { return try await verifyAPIKey(token) }
        return try await currentKeys().verifier.verifyToken(token)
    }

    /// The user `id`; `USER_NOT_FOUND` when there is none.
    public func user(id: String) async throws -> AuthUser {
        try await record(id: id).user
    }

    func record(id: String) async throws -> UserRecord {
        guard let record = try await store.user(id: id) else { throw ReactorError(.userNotFound, "no user '\(id)'") }
        return record
    }

    // MARK: - Tokens

    /// A new grant for `user`: an access token and the first refresh token of `family` (a new family when nil).
    func grant(for user: AuthUser, family: String? = nil) async throws -> TokenGrant {
        let issuedAt = now()
        let accessToken = try await currentKeys().issuer.issue(
            subject: user.id, issuer: configuration.issuer, audience: [configuration.audience],
            ttl: configuration.accessTokenTTL, roles: user.roles, issuedAt: issuedAt)
        let refreshToken = Secrets.refreshToken()
        try await store.insertSession(
            SessionRecord(
                id: UUID().uuidString.lowercased(), familyID: family ?? UUID().uuidString.lowercased(), userID: user.id,
                tokenHash: Secrets.hash(refreshToken), createdAt: issuedAt,
                expiresAt: issuedAt.addingTimeInterval(configuration.refreshTokenTTL)))
        return TokenGrant(
            user: user, accessToken: accessToken, refreshToken: refreshToken, expiresIn: Int(configuration.accessTokenTTL))
    }

    /// Exchanges a refresh token for the next grant. The token is used up; presenting it again revokes its family.
    ///
    /// - Throws: `REFRESH_TOKEN_INVALID` (unknown, expired, revoked), `REFRESH_TOKEN_REUSED` (already used: the
    ///   family is revoked now), `USER_DISABLED` (the family is revoked).
    public func refresh(refreshToken: String) async throws -> TokenGrant {
        guard let session = try await store.session(tokenHash: Secrets.hash(refreshToken)), !session.revoked else {
            throw ReactorError(.refreshTokenInvalid, "the refresh token is not valid; log in again")
        }
        if session.usedAt != nil {
            try await store.revokeSessionFamily(session.familyID)
            throw ReactorError(
                .refreshTokenReused, "the refresh token was already used; its session is revoked, log in again")
        }
        if session.expiresAt <= now() {
            throw ReactorError(.refreshTokenInvalid, "the refresh token has expired; log in again")
        }
        guard let record = try await store.user(id: session.userID), !record.user.disabled else {
            try await store.revokeSessionFamily(session.familyID)
            throw ReactorError(.userDisabled, "the account is disabled")
        }
        guard try await store.markSessionUsed(id: session.id, at: now()) else {
            try await store.revokeSessionFamily(session.familyID)
            throw ReactorError(
                .refreshTokenReused, "the refresh token was already used; its session is revoked, log in again")
        }
        return try await grant(for: record.user, family: session.familyID)
    }

    /// Ends the session of `refreshToken` (its whole family). Unknown tokens are ignored.
    public func logout(refreshToken: String) async throws {
        if let session = try await store.session(tokenHash: Secrets.hash(refreshToken)) {
            try await store.revokeSessionFamily(session.familyID)
        }
    }
}
