import Foundation
import ReactorCore

/// What ``JWTAuthClient`` trusts and checks.
///
/// At least one key source must be set: ``hmacSecrets``, ``publicKeysPEM``, ``jwks`` or ``jwksURL``. ``validate()``
/// (called by ``JWTAuthClient/init(configuration:httpClient:now:)``) rejects anything unusable with a
/// `CONFIG_INVALID` error whose `details["field"]` names the field (`hmacSecrets[1]`, `jwksURL`, …).
public struct JWTAuthConfiguration: Sendable, Hashable {
    /// The smallest HMAC secret accepted, in UTF-8 bytes (the size of an HS256 digest).
    public static let minimumHMACSecretLength = 32

    /// Shared secrets for HS256 (each at least ``minimumHMACSecretLength`` UTF-8 bytes; secrets of 48 or 64 bytes
    /// also verify HS384 or HS512).
    public var hmacSecrets: [String]
    /// Public keys (or certificates, or private keys, whose public half is used) as PEM text. The algorithm follows
    /// from the key: RSA → RS256, P-256 → ES256 (P-384 → ES384, P-521 → ES512), Ed25519 → EdDSA.
    public var publicKeysPEM: [String]
    /// A JSON Web Key Set as JSON text (`{"keys": [...]}`). Keys are matched by `kid`.
    public var jwks: String?
    /// An `http(s)` URL to fetch a JSON Web Key Set from. It is fetched on first use, refetched when older than
    /// ``jwksMaximumAge``, and refetched when a token names an unknown `kid` (at most once per
    /// ``jwksMinimumRefreshInterval``).
    public var jwksURL: String?
    /// When set, a token's `iss` must equal it.
    public var issuer: String?
    /// When set, a token's `aud` must contain it.
    public var audience: String?
    /// Seconds of clock skew allowed when checking `exp` and `nbf`.
    public var leeway: TimeInterval
    /// Whether a token without `exp` is rejected (`TOKEN_MALFORMED`).
    public var requireExpiration: Bool
    /// The least time (seconds) between two fetches of ``jwksURL`` (whatever triggers them).
    public var jwksMinimumRefreshInterval: TimeInterval
    /// Fetched keys older than this (seconds) are refetched on the next verification (old keys are kept if that
    /// fetch fails).
    public var jwksMaximumAge: TimeInterval
    /// How long (seconds) one fetch of ``jwksURL`` may take.
    public var jwksTimeout: TimeInterval

    /// Creates a configuration; only the fields given differ from the defaults.
    public init(
        hmacSecrets: [String] = [],
        publicKeysPEM: [String] = [],
        jwks: String? = nil,
        jwksURL: String? = nil,
        issuer: String? = nil,
        audience: String? = nil,
        leeway: TimeInterval = 60,
        requireExpiration: Bool = true,
        jwksMinimumRefreshInterval: TimeInterval = 30,
        jwksMaximumAge: TimeInterval = 3600,
        jwksTimeout: TimeInterval = 10
    ) {
        self.hmacSecrets = hmacSecrets
        self.publicKeysPEM = publicKeysPEM
        self.jwks = jwks
        self.jwksURL = jwksURL
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.requireExpiration = requireExpiration
        self.jwksMinimumRefreshInterval = jwksMinimumRefreshInterval
        self.jwksMaximumAge = jwksMaximumAge
        self.jwksTimeout = jwksTimeout
    }

    /// Checks every field that can be checked without I/O (secret lengths, PEM parsing, JWKS JSON shape, URL, times).
    ///
    /// - Throws: `CONFIG_INVALID` naming the first bad field in `details["field"]` and in the message.
    public func validate() throws(ReactorError) {
        if hmacSecrets.isEmpty && publicKeysPEM.isEmpty && jwks == nil && jwksURL == nil {
            throw Self.invalid(
                "hmacSecrets", "no verification key is configured: set hmacSecrets, publicKeysPEM, jwks or jwksURL")
        }
        for (index, secret) in hmacSecrets.enumerated() {
            try Self.checkHMACSecret(secret, field: "hmacSecrets[\(index)]")
        }
        for (index, pem) in publicKeysPEM.enumerated() {
            do {
                _ = try PEMKey.parse(pem)
            } catch {
                throw Self.invalid("publicKeysPEM[\(index)]", "publicKeysPEM[\(index)] \(error.reason)")
            }
        }
        if let jwks {
            let data = Data(jwks.utf8)
            guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], root["keys"] is [Any]
            else {
                throw Self.invalid("jwks", "jwks is not a JSON Web Key Set (a JSON object with a \"keys\" array)")
            }
        }
        if let jwksURL {
            guard let url = URL(string: jwksURL), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
            else {
                throw Self.invalid("jwksURL", "jwksURL '\(jwksURL)' is not an http(s) URL")
            }
        }
        if let issuer, issuer.isEmpty { throw Self.invalid("issuer", "issuer is empty; leave it unset to accept any") }
        if let audience, audience.isEmpty {
            throw Self.invalid("audience", "audience is empty; leave it unset to accept any")
        }
        try Self.checkSeconds(leeway, field: "leeway", allowZero: true)
        try Self.checkSeconds(jwksMinimumRefreshInterval, field: "jwksMinimumRefreshInterval", allowZero: true)
        try Self.checkSeconds(jwksMaximumAge, field: "jwksMaximumAge", allowZero: false)
        try Self.checkSeconds(jwksTimeout, field: "jwksTimeout", allowZero: false)
    }

    /// Throws `CONFIG_INVALID` naming `field` unless `secret` has at least ``minimumHMACSecretLength`` UTF-8 bytes.
    ///
    /// jwt-kit stops the process (in debug builds) on shorter HMAC keys, so every secret is checked here first.
    public static func checkHMACSecret(_ secret: String, field: String) throws(ReactorError) {
        let length = secret.utf8.count
        if length < minimumHMACSecretLength {
            throw invalid(
                field,
                "\(field) is \(length) bytes; HMAC secrets need at least \(minimumHMACSecretLength) bytes "
                    + "(use a random secret, e.g. from TokenIssuer.generateHMACSecret())")
        }
    }

    private static func checkSeconds(_ value: TimeInterval, field: String, allowZero: Bool) throws(ReactorError) {
        guard value.isFinite, value >= 0, allowZero || value > 0, value <= 31_536_000 else {
            let lowest = allowZero ? "0" : "more than 0"
            throw invalid(field, "\(field) is \(value); expected \(lowest) to 31536000 seconds")
        }
    }

    static func invalid(_ field: String, _ message: String) -> ReactorError {
        ReactorError(.configInvalid, message, details: ["field": field])
    }
}
