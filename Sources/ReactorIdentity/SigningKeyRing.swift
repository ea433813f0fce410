import Crypto
import Foundation
import ReactorAuth
import ReactorCore

/// The identity service's ES256 signing keys, kept in the vault at ``vaultPath`` as JSON.
///
/// The newest key signs; keys retired by ``rotated(now:retention:)`` stay published in the JWKS (and keep
/// verifying) until every token they signed has expired, then they are dropped. Private keys never leave the vault
/// and this value; the JWKS holds public keys only.
public struct SigningKeyRing: Sendable, Equatable {
    /// Where the keys live in the vault.
    public static let vaultPath = "auth/signing-keys"

    /// One key.
    public struct Key: Sendable, Equatable, Codable {
        /// The `kid` of its tokens.
        public var kid: String
        /// The P-256 private key, PKCS#8 PEM.
        public var privateKeyPEM: String
        /// When it was made (seconds since 1970).
        public var createdAt: Double
        /// When a newer key replaced it (seconds since 1970); nil for the signing key.
        public var retiredAt: Double?
    }

    /// Every kept key, oldest first; the last one signs.
    public private(set) var keys: [Key]

    /// A ring with one new key.
    public static func generate(now: Date) -> SigningKeyRing {
        SigningKeyRing(keys: [newKey(now: now)])
    }

    /// The ring stored in `vault`, or nil when there is none. `VAULT_CORRUPT` when the stored value is not a ring.
    public static func load(from vault: any Vault) async throws -> SigningKeyRing? {
        guard let text = try await vault.get(vaultPath) else { return nil }
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(text.utf8)), !stored.keys.isEmpty else {
            throw ReactorError(.vaultCorrupt, "the vault's \(vaultPath) is not a signing key ring")
        }
        return SigningKeyRing(keys: stored.keys)
    }

    /// Writes the ring to `vault`.
    public func save(to vault: any Vault) async throws {
        let data = try JSONEncoder().encode(Stored(keys: keys))
        try await vault.put(Self.vaultPath, value: String(decoding: data, as: UTF8.self))
    }

    /// The ring after a rotation at `now`: the signing key retired, a new one signing, keys retired more than
    /// `retention` seconds ago dropped.
    public func rotated(now: Date, retention: TimeInterval) -> SigningKeyRing {
        var keys = self.keys
        let t = now.timeIntervalSince1970
        for index in keys.indices where keys[index].retiredAt == nil { keys[index].retiredAt = t }
        keys.removeAll { ($0.retiredAt ?? t) < t - retention }
        keys.append(Self.newKey(now: now))
        return SigningKeyRing(keys: keys)
    }

    /// The ring without keys retired more than `retention` seconds before `now`.
    public func pruned(now: Date, retention: TimeInterval) -> SigningKeyRing {
        let t = now.timeIntervalSince1970
        return SigningKeyRing(keys: keys.filter { $0.retiredAt == nil || $0.retiredAt! >= t - retention })
    }

    /// The signing key.
    public var current: Key { keys[keys.count - 1] }

    /// The JSON Web Key Set of every kept key (public parts only, RFC 7517): `{"keys": [{"kty": "EC", "crv":
    /// "P-256", "x", "y", "kid", "alg": "ES256", "use": "sig"}, …]}`, the signing key first.
    public func jwks() throws -> JSONValue {
        var entries: [JSONValue] = []
        for key in keys.reversed() {
            let raw: Data
            do {
                raw = try P256.Signing.PrivateKey(pemRepresentation: key.privateKeyPEM).publicKey.rawRepresentation
            } catch {
                throw ReactorError(.vaultCorrupt, "the signing key '\(key.kid)' in the vault is not a P-256 key")
            }
            entries.append([
                "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": .string(key.kid),
                "x": .string(Base64URL.encode(raw.prefix(32))), "y": .string(Base64URL.encode(raw.suffix(32))),
            ])
        }
        return ["keys": .array(entries)]
    }

    /// An issuer signing with the current key.
    func issuer() throws(ReactorError) -> TokenIssuer {
        try TokenIssuer(privateKeyPEM: current.privateKeyPEM, keyID: current.kid)
    }

    private static func newKey(now: Date) -> Key {
        let key = P256.Signing.PrivateKey()
        var generator = SystemRandomNumberGenerator()
        let id = (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Key(kid: Base64URL.encode(id), privateKeyPEM: key.pemRepresentation, createdAt: now.timeIntervalSince1970)
    }

    private struct Stored: Codable {
        var keys: [Key]
    }
}
