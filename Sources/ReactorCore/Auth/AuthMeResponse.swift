import Foundation

/// The body of `GET /reactor/v1/auth/me` on success: `{"claims": <AuthClaims>}`.
public struct AuthMeResponse: Sendable, Hashable, Codable {
    /// The verified claims of the caller's bearer token.
    public var claims: AuthClaims

    /// Wraps `claims`.
    public init(claims: AuthClaims) { self.claims = claims }
}
