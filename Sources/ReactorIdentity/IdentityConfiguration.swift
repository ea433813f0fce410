import Foundation
import ReactorCore

/// The settings of the identity service (``IdentityService``).
///
/// `Reactor.toml` keys (section `[auth]`): `service` (run it), `issuer`, `audience`, `signup`,
/// `access_token_ttl_seconds`, `refresh_token_ttl_seconds`, `scrypt_log_n`, `scrypt_r`, `scrypt_p`,
/// `login_attempts_per_account`, `login_attempts_per_address`, `login_window_seconds`, `leeway_seconds`.
public struct IdentityConfiguration: Sendable, Equatable {
    /// The `iss` of the tokens (and the discovery document's `issuer`): best the server's public URL.
    public var issuer: String
    /// The `aud` of the tokens.
    public var audience: String
    /// Whether anyone may sign up (`POST /auth/v1/signup`). The first user to sign up becomes an admin.
    public var signupEnabled: Bool
    /// Seconds an access token (JWT) is valid: short, since it cannot be revoked.
    public var accessTokenTTL: TimeInterval
    /// Seconds a refresh token is valid (each refresh issues a new one with a new lifetime).
    public var refreshTokenTTL: TimeInterval
    /// The password hashing cost.
    public var scrypt: ScryptParameters
    /// Failed logins allowed per account (normalised email) in one ``loginWindow``.
    public var loginAttemptsPerAccount: Int
    /// Failed logins allowed per client address in one ``loginWindow``.
    public var loginAttemptsPerAddress: Int
    /// The rate limit's window, in seconds.
    public var loginWindow: TimeInterval
    /// Clock skew tolerated on `exp`/`nbf`.
    public var leeway: TimeInterval
    /// How often a running service rereads its signing keys from the vault (to see `reactor auth rotate-keys`).
    public var keyReloadInterval: TimeInterval

    /// The settings with their defaults.
    public init(
        issuer: String = "reactor", audience: String = "reactor", signupEnabled: Bool = true,
        accessTokenTTL: TimeInterval = 900, refreshTokenTTL: TimeInterval = 30 * 86400,
        scrypt: ScryptParameters = ScryptParameters(), loginAttemptsPerAccount: Int = 5, loginAttemptsPerAddress: Int = 50,
        loginWindow: TimeInterval = 300, leeway: TimeInterval = 60, keyReloadInterval: TimeInterval = 30
    ) {
        self.issuer = issuer
        self.audience = audience
        self.signupEnabled = signupEnabled
        self.accessTokenTTL = accessTokenTTL
        self.refreshTokenTTL = refreshTokenTTL
        self.scrypt = scrypt
        self.loginAttemptsPerAccount = loginAttemptsPerAccount
        self.loginAttemptsPerAddress = loginAttemptsPerAddress
        self.loginWindow = loginWindow
        self.leeway = leeway
        self.keyReloadInterval = keyReloadInterval
    }

    /// How long a retired signing key stays published: until every token it signed has expired.
    public var keyRetention: TimeInterval { accessTokenTTL + leeway }

    /// Checks the ranges; `CONFIG_INVALID` naming the `Reactor.toml` key.
    public func validate() throws(ReactorError) {
        func bad(_ key: String, _ why: String) -> ReactorError {
            ReactorError(.configInvalid, "auth.\(key) \(why)", details: ["key": "auth.\(key)"])
        }
        if issuer.isEmpty { throw bad("issuer", "must not be empty when auth.service is on") }
        if audience.isEmpty { throw bad("audience", "must not be empty when auth.service is on") }
        if !(60...86400).contains(accessTokenTTL) { throw bad("access_token_ttl_seconds", "must be 60 to 86400") }
        if !(300...(366 * 86400)).contains(refreshTokenTTL) {
            throw bad("refresh_token_ttl_seconds", "must be 300 to 31622400")
        }
        if !(1...20).contains(scrypt.logN) { throw bad("scrypt_log_n", "must be 1 to 20") }
        if !(1...32).contains(scrypt.r) { throw bad("scrypt_r", "must be 1 to 32") }
        if !(1...16).contains(scrypt.p) { throw bad("scrypt_p", "must be 1 to 16") }
        if loginAttemptsPerAccount < 1 { throw bad("login_attempts_per_account", "must be at least 1") }
        if loginAttemptsPerAddress < 1 { throw bad("login_attempts_per_address", "must be at least 1") }
        if !(1...86400).contains(loginWindow) { throw bad("login_window_seconds", "must be 1 to 86400") }
    }
}

/// scrypt's cost: N = 2^`logN` iterations, block size `r`, parallelism `p`. Memory is 128 · N · r bytes (32 MiB
/// with the defaults, about 0.1 s per hash on one core here).
public struct ScryptParameters: Sendable, Equatable, Hashable {
    /// log2 of N (15).
    public var logN: Int
    /// The block size r (8).
    public var r: Int
    /// The parallelism p (1).
    public var p: Int

    /// Parameters with the defaults of RFC 7914's interactive logins.
    public init(logN: Int = 15, r: Int = 8, p: Int = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }
}
