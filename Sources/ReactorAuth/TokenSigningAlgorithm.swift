/// The JWS algorithms ``TokenIssuer`` signs with.
public enum TokenSigningAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// HMAC with SHA-256 over a shared secret.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of at least 2048 bits).
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// Ed25519.
    case edDSA = "EdDSA"
}
