import Foundation
import JWTKit

/// One trusted key: the JWS algorithm it verifies, its `kid` (if any) and where it came from (for messages).
///
/// Each key is built through its own jwt-kit `JWTKeyCollection`, which yields the algorithm object that checks
/// signatures. Reactor picks the key itself (by `kid` and `alg`), so a token can never choose an algorithm its key
/// was not configured for.
struct VerificationKey: Sendable {
    /// The `kid` tokens name this key by; `nil` for keys configured without one.
    var keyID: String?
    /// The JWS algorithm (`HS256`, `RS256`, `ES256`, `EdDSA`, …) this key verifies.
    var algorithm: String
    /// Where the key came from, e.g. `hmacSecrets[0]` or `jwks key 'k1'`.
    var source: String
    /// jwt-kit's verifier for the key.
    var verifier: any JWTAlgorithm

    /// Whether `signature` is this key's signature over `signingInput`.
    func verifies(signature: [UInt8], signingInput: [UInt8]) -> Bool {
        (try? verifier.verify(signature, signs: signingInput)) ?? false
    }

    /// The keys for an HMAC secret: HS256, plus HS384 and HS512 when the secret is long enough for them
    /// (48 and 64 bytes). The caller has checked the secret has at least 32 bytes.
    static func hmac(secret: String, keyID: String? = nil, source: String) async throws -> [VerificationKey] {
        let length = secret.utf8.count
        var keys: [VerificationKey] = []
        for (digest, name, minimum) in [
            (DigestAlgorithm.sha256, "HS256", 32), (DigestAlgorithm.sha384, "HS384", 48),
            (DigestAlgorithm.sha512, "HS512", 64),
        ] where length >= minimum {
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
            keys.append(
                VerificationKey(
                    keyID: keyID, algorithm: name, source: source, verifier: try await collection.getKey()))
        }
        return keys
    }

    /// The key for a PEM key (a private key verifies with its public half).
    static func pem(_ key: PEMKey, keyID: String? = nil, source: String) async throws -> VerificationKey {
        let collection = JWTKeyCollection()
        await key.add(to: collection, keyID: nil)
        return VerificationKey(
            keyID: keyID, algorithm: key.algorithm, source: source, verifier: try await collection.getKey())
    }

    /// A JWKS document that cannot be read at all.
    struct JWKSFailure: Error {
        var reason: String
    }

    /// The usable signing keys of a JWKS document, and why each other key was skipped.
    ///
    /// Keys for encryption (`use: enc`), of unsupported types or curves, or with unusable parameters are skipped.
    /// A key without `alg` gets the one its type implies (RSA → RS256, P-256/P-384/P-521 → ES256/384/512,
    /// Ed25519 → EdDSA), so a token cannot pick another algorithm for it.
    static func jwks(
        _ data: Data, source: String
    ) async throws(JWKSFailure) -> (keys: [VerificationKey], skipped: [String]) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw JWKSFailure(reason: "is not valid JSON")
        }
        guard let object = root as? [String: Any], let entries = object["keys"] as? [Any] else {
            throw JWKSFailure(reason: "is not a JWKS (a JSON object with a \"keys\" array)")
        }
        var keys: [VerificationKey] = []
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let fields = entry as? [String: Any] else {
                skipped.append("keys[\(index)]: not a JSON object")
                continue
            }
            let name = (fields["kid"] as? String).map { "keys[\(index)] (kid '\($0)')" } ?? "keys[\(index)]"
            if let use = fields["use"] as? String, use != "sig" {
                skipped.append("\(name): use '\(use)' is not 'sig'")
                continue
            }
            var jwk: JWK
            do {
                jwk = try JSONDecoder().decode(JWK.self, from: JSONSerialization.data(withJSONObject: fields))
            } catch {
                let kty = fields["kty"] as? String ?? "?"
                skipped.append("\(name): unsupported key (kty '\(kty)', alg '\(fields["alg"] as? String ?? "")')")
                continue
            }
            guard let algorithm = jwk.algorithm ?? impliedAlgorithm(of: jwk), algorithm != .rsaOAEP else {
                skipped.append("\(name): no signing algorithm for this key type or curve")
                continue
            }
            jwk.algorithm = algorithm
            let keyID = jwk.keyIdentifier?.string
            if keyID == nil { jwk.keyIdentifier = JWKIdentifier(string: "#\(index)") }
            do {
                let collection = JWTKeyCollection()
                try await collection.add(jwk: jwk)
                let verifier = try await collection.getKey(for: jwk.keyIdentifier, alg: algorithm.rawValue)
                guard verifier.name == algorithm.rawValue else {
                    skipped.append("\(name): key does not work with \(algorithm.rawValue)")
                    continue
                }
                keys.append(
                    VerificationKey(
                        keyID: keyID, algorithm: algorithm.rawValue, source: "\(source) \(name)", verifier: verifier))
            } catch {
                skipped.append("\(name): unusable key parameters for \(algorithm.rawValue)")
            }
        }
        return (keys, skipped)
    }

    private static func impliedAlgorithm(of jwk: JWK) -> JWK.Algorithm? {
        switch jwk.keyType {
        case .rsa: return .rs256
        case .ecdsa:
            switch jwk.curve?.rawValue {
            case "P-256": return .es256
            case "P-384": return .es384
            case "P-521": return .es512
            default: return nil
            }
        case .octetKeyPair: return jwk.curve?.rawValue == "Ed25519" ? .eddsa : nil
        default: return nil
        }
    }
}
