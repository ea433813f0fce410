import Foundation

/// Verifies bearer tokens and says who is calling.
///
/// Adapters: the in-process client of Reactor's own identity service (`ReactorIdentity.InProcessAuthClient`), the
/// in-process JWT verifier for an external identity provider (`ReactorAuth.JWTAuthClient`: HS256, RS256, ES256,
/// EdDSA, JWKS) and the remote adapter (`ReactorAuth.RemoteAuthClient`, which asks another Reactor). Every adapter
/// passes `ReactorTesting.AuthClientConformance`.
///
/// A token that does not verify throws a ``ReactorError`` with one of the codes ``ReactorError/Code/tokenMalformed``,
/// ``ReactorError/Code/tokenExpired``, ``ReactorError/Code/tokenSignature``, ``ReactorError/Code/tokenAudience``,
/// ``ReactorError/Code/tokenIssuer``, ``ReactorError/Code/apiKeyInvalid``, ``ReactorError/Code/userDisabled`` (the
/// server answers each with 401). Other failures (a remote verifier that cannot be reached) use other codes and are
/// not the caller's fault.
public protocol AuthClient: Sendable {
    /// Verifies `token` (the bearer token without the `Bearer ` prefix) and returns its claims.
    func verify(token: String) async throws -> AuthClaims

    /// The user with id `id` (a token's `sub`).
    ///
    /// - Throws: ``ReactorError/Code/userNotFound`` when there is no such user.
    func user(id: String) async throws -> AuthUser
}
