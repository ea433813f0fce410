import Foundation

/// Verifies bearer tokens and says who is calling.
///
/// Adapters: the in-process JWT verifier (`ReactorAuth.JWTAuthClient`: HS256, RS256, ES256, EdDSA, JWKS) and the
/// remote adapter (`ReactorAuth.RemoteAuthClient`, which asks another Reactor's `GET /reactor/v1/auth/me`).
///
/// A token that does not verify throws a ``ReactorError`` with one of the codes ``ReactorError/Code/tokenMalformed``,
/// ``ReactorError/Code/tokenExpired``, ``ReactorError/Code/tokenSignature``, ``ReactorError/Code/tokenAudience``,
/// ``ReactorError/Code/tokenIssuer`` (the server answers each with 401). Other failures (a remote verifier that
/// cannot be reached) use other codes and are not the caller's fault.
public protocol AuthClient: Sendable {
    /// Verifies `token` (the bearer token without the `Bearer ` prefix) and returns its claims.
    func verify(token: String) async throws -> AuthClaims
}

/// What a verified token says about its bearer.
public struct AuthClaims: Sendable, Hashable, Codable {
    /// The subject (`sub`): the user or service id.
    public var subject: String
    /// The issuer (`iss`), when present.
    public var issuer: String?
    /// The audiences (`aud`).
    public var audience: [String]
    /// When the token expires (`exp`).
    public var expiresAt: Date?
    /// When the token was issued (`iat`).
    public var issuedAt: Date?
    /// Roles (`roles` claim), empty when absent.
    public var roles: [String]

    public init(
        subject: String, issuer: String? = nil, audience: [String] = [], expiresAt: Date? = nil, issuedAt: Date? = nil,
        roles: [String] = []
    ) {
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.roles = roles
    }
}
