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
