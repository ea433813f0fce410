import JWTKit

/// An asymmetric key read from PEM text, with the JWS algorithm Reactor uses for it.
///
/// The key kind is detected from the PEM: RSA (≥ 2048 bits) → RS256, P-256 → ES256, P-384 → ES384,
/// P-521 → ES512, Ed25519 → EdDSA. Public keys (`PUBLIC KEY`, `RSA PUBLIC KEY`), certificates (`CERTIFICATE`, RSA
/// and EC) and private keys (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) are read.
enum PEMKey: Sendable {
    case rsaPublic(Insecure.RSA.PublicKey)
    case rsaPrivate(Insecure.RSA.PrivateKey)
    case es256Public(ES256PublicKey)
    case es256Private(ES256PrivateKey)
    case es384Public(ES384PublicKey)
    case es384Private(ES384PrivateKey)
    case es512Public(ES512PublicKey)
    case es512Private(ES512PrivateKey)
    case ed25519Public(EdDSA.PublicKey)
    case ed25519Private(EdDSA.PrivateKey)

    /// What went wrong reading a PEM, phrased to follow the name of the field or argument it came from.
    struct Failure: Error {
        var reason: String
    }

    /// Reads `pem`. Throws a ``Failure`` whose reason completes "<field> …".
    static func parse(_ pem: String) throws(Failure) -> PEMKey {
        guard let label = label(of: pem) else {
            throw Failure(reason: "is not PEM text (no '-----BEGIN …-----' line)")
        }
        let candidates: [() throws -> PEMKey]
        switch label {
        case "PUBLIC KEY":
            candidates = [
                { .rsaPublic(try Insecure.RSA.PublicKey(pem: pem)) },
                { .es256Public(try ES256PublicKey(pem: pem)) },
                { .es384Public(try ES384PublicKey(pem: pem)) },
                { .es512Public(try ES512PublicKey(pem: pem)) },
                { .ed25519Public(try EdDSA.PublicKey(pem: pem)) },
            ]
        case "RSA PUBLIC KEY":
            candidates = [{ .rsaPublic(try Insecure.RSA.PublicKey(pem: pem)) }]
        case "CERTIFICATE":
            candidates = [
                { .rsaPublic(try Insecure.RSA.PublicKey(certificatePEM: pem)) },
                { .es256Public(try ES256PublicKey(certificate: pem)) },
                { .es384Public(try ES384PublicKey(certificate: pem)) },
                { .es512Public(try ES512PublicKey(certificate: pem)) },
            ]
        case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
            candidates = [
                { .rsaPrivate(try Insecure.RSA.PrivateKey(pem: pem)) },
                { .es256Private(try ES256PrivateKey(pem: pem)) },
                { .es384Private(try ES384PrivateKey(pem: pem)) },
                { .es512Private(try ES512PrivateKey(pem: pem)) },
                { .ed25519Private(try EdDSA.PrivateKey(pem: pem)) },
            ]
        default:
            throw Failure(reason: "is a '\(label)' PEM; expected a PUBLIC KEY, CERTIFICATE or PRIVATE KEY")
        }
        for candidate in candidates {
            if let key = try? candidate() { return key }
        }
        throw Failure(
            reason: "is a '\(label)' PEM that is not an RSA (at least 2048 bits), P-256, P-384, P-521 or Ed25519 key")
    }

    /// The label of the first `-----BEGIN <label>-----` line.
    private static func label(of pem: String) -> String? {
        guard let begin = pem.range(of: "-----BEGIN ") else { return nil }
        let rest = pem[begin.upperBound...]
        guard let end = rest.range(of: "-----") else { return nil }
        let label = rest[..<end.lowerBound]
        guard !label.isEmpty, label.count <= 64, !label.contains("\n") else { return nil }
        return String(label)
    }

    /// The JWS algorithm used with this key.
    var algorithm: String {
        switch self {
        case .rsaPublic, .rsaPrivate: "RS256"
        case .es256Public, .es256Private: "ES256"
        case .es384Public, .es384Private: "ES384"
        case .es512Public, .es512Private: "ES512"
        case .ed25519Public, .ed25519Private: "EdDSA"
        }
    }

    /// Whether the key can sign (a private key).
    var isPrivate: Bool {
        switch self {
        case .rsaPrivate, .es256Private, .es384Private, .es512Private, .ed25519Private: true
        case .rsaPublic, .es256Public, .es384Public, .es512Public, .ed25519Public: false
        }
    }

    /// Adds the key to `keys` under `keyID` (the default key when `nil`).
    func add(to keys: JWTKeyCollection, keyID: String?) async {
        let kid = keyID.map { JWKIdentifier(string: $0) }
        switch self {
        case .rsaPublic(let key): await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        case .rsaPrivate(let key): await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        case .es256Public(let key): await keys.add(ecdsa: key, kid: kid)
        case .es256Private(let key): await keys.add(ecdsa: key, kid: kid)
        case .es384Public(let key): await keys.add(ecdsa: key, kid: kid)
        case .es384Private(let key): await keys.add(ecdsa: key, kid: kid)
        case .es512Public(let key): await keys.add(ecdsa: key, kid: kid)
        case .es512Private(let key): await keys.add(ecdsa: key, kid: kid)
        case .ed25519Public(let key): await keys.add(eddsa: key, kid: kid)
        case .ed25519Private(let key): await keys.add(eddsa: key, kid: kid)
        }
    }
}
