import CryptoExtras
import Foundation
import JWTKit
import ReactorCore

/// Mints signed JWTs, for development and tests (`reactor token issue`).
///
/// Tokens carry `sub`, `iat`, `exp` (= `iat` + ttl), and when given `iss`, `aud` (an array), `nbf` and `roles`; the
/// header has `alg`, `typ: JWT` and the `kid` when one is set. ``JWTAuthClient`` verifies them.
public struct TokenIssuer: Sendable {
    private enum Key: Sendable {
        case hmac(String)
        case pem(PEMKey)
    }

    /// The algorithm tokens are signed with.
    public let algorithm: TokenSigningAlgorithm
    /// The `kid` header written into every token, if any.
    public let keyID: String?
    private let key: Key

    /// An issuer signing HS256 with a shared secret.
    ///
    /// - Throws: `INVALID_ARGUMENT` when `hmacSecret` has fewer than
    ///   ``JWTAuthConfiguration/minimumHMACSecretLength`` UTF-8 bytes, or `keyID` is empty.
    public init(hmacSecret: String, keyID: String? = nil) throws(ReactorError) {
        let length = hmacSecret.utf8.count
        if length < JWTAuthConfiguration.minimumHMACSecretLength {
            throw ReactorError(
                .invalidArgument,
                "the HMAC secret is \(length) bytes; at least \(JWTAuthConfiguration.minimumHMACSecretLength) bytes "
                    + "are required", details: ["field": "secret"])
        }
        try Self.checkKeyID(keyID)
        self.algorithm = .hs256
        self.keyID = keyID
        self.key = .hmac(hmacSecret)
    }

    /// An issuer signing with a private key given as PEM: RSA → RS256, P-256 → ES256, Ed25519 → EdDSA.
    ///
    /// - Throws: `INVALID_ARGUMENT` when the PEM is not such a private key, or `keyID` is empty.
    public init(privateKeyPEM: String, keyID: String? = nil) throws(ReactorError) {
        let parsed: PEMKey
        do {
            parsed = try PEMKey.parse(privateKeyPEM)
        } catch {
            throw ReactorError(.invalidArgument, "the private key \(error.reason)", details: ["field": "privateKey"])
        }
        guard parsed.isPrivate, let algorithm = TokenSigningAlgorithm(rawValue: parsed.algorithm) else {
            throw ReactorError(
                .invalidArgument,
                "the private key PEM holds a \(parsed.isPrivate ? "\(parsed.algorithm) key" : "public key"); "
                    + "expected an RSA, P-256 or Ed25519 private key", details: ["field": "privateKey"])
        }
        try Self.checkKeyID(keyID)
        self.algorithm = algorithm
        self.keyID = keyID
        self.key = .pem(parsed)
    }

    /// Signs a token.
    ///
    /// - Parameters:
    ///   - subject: `sub`, not empty.
    ///   - issuer: `iss`, when given.
    ///   - audience: `aud` (left out when empty).
    ///   - ttl: Seconds from `issuedAt` to `exp`; more than 0.
    ///   - roles: `roles` (left out when empty).
    ///   - notBefore: `nbf`, when given.
    ///   - issuedAt: `iat`; now unless given.
    /// - Throws: `INVALID_ARGUMENT` for an empty subject or a ttl that is not positive and finite.
    public func issue(
        subject: String, issuer: String? = nil, audience: [String] = [], ttl: TimeInterval = 3600,
        roles: [String] = [], notBefore: Date? = nil, issuedAt: Date = Date()
    ) async throws(ReactorError) -> String {
        guard !subject.isEmpty else {
            throw ReactorError(.invalidArgument, "the subject is empty", details: ["field": "subject"])
        }
        guard ttl.isFinite, ttl > 0, ttl <= 3_153_600_000 else {
            throw ReactorError(
                .invalidArgument, "the ttl is \(ttl) seconds; expected more than 0", details: ["field": "ttl"])
        }
        let iat = issuedAt.timeIntervalSince1970.rounded(.towardZero)
        let claims = TokenClaims(
            subject: subject, issuer: issuer, audience: audience.isEmpty ? nil : audience, expiresAt: iat + ttl,
            notBefore: notBefore.map { $0.timeIntervalSince1970.rounded(.towardZero) }, issuedAt: iat,
            roles: roles.isEmpty ? nil : roles)
        let keys = JWTKeyCollection()
        switch key {
        case .hmac(let secret): await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        case .pem(let pem): await pem.add(to: keys, keyID: nil)
        }
        var header = JWTHeader()
        if let keyID { header.kid = keyID }
        do {
            return try await keys.sign(claims, header: header)
        } catch {
            throw ReactorError(.internal, "signing the token failed: \(error)")
        }
    }

    /// A new random HMAC secret: `byteCount` random bytes (at least 32) as base64url text without padding.
    public static func generateHMACSecret(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<max(byteCount, JWTAuthConfiguration.minimumHMACSecretLength)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        }
        return Base64URL.encode(bytes)
    }

    /// A new key pair for `algorithm` (RS256: 2048-bit RSA, ES256: P-256, EdDSA: Ed25519).
    ///
    /// - Throws: `INVALID_ARGUMENT` for ``TokenSigningAlgorithm/hs256`` (use ``generateHMACSecret(byteCount:)``).
    public static func generateKeyPair(_ algorithm: TokenSigningAlgorithm) throws(ReactorError) -> GeneratedKeyPair {
        switch algorithm {
        case .hs256:
            throw ReactorError(
                .invalidArgument, "HS256 uses a shared secret, not a key pair", details: ["field": "algorithm"])
        case .rs256:
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                return GeneratedKeyPair(
                    algorithm: algorithm, privateKeyPEM: key.pkcs8PEMRepresentation,
                    publicKeyPEM: key.publicKey.pemRepresentation)
            } catch {
                throw ReactorError(.internal, "generating an RSA key failed: \(error)")
            }
        case .es256:
            let key = ES256PrivateKey()
            return GeneratedKeyPair(
                algorithm: algorithm, privateKeyPEM: key.pemRepresentation,
                publicKeyPEM: key.publicKey.pemRepresentation)
        case .edDSA:
            do {
                let key = try EdDSA.PrivateKey(curve: .ed25519)
                return GeneratedKeyPair(
                    algorithm: algorithm, privateKeyPEM: key.pemRepresentation,
                    publicKeyPEM: key.publicKey.pemRepresentation)
            } catch {
                throw ReactorError(.internal, "generating an Ed25519 key failed: \(error)")
            }
        }
    }

    private static func checkKeyID(_ keyID: String?) throws(ReactorError) {
        if let keyID, keyID.isEmpty {
            throw ReactorError(
                .invalidArgument, "the key id is empty; leave it unset instead", details: ["field": "kid"])
        }
    }
}
