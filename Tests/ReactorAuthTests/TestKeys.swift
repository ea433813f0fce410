import CryptoExtras
import Foundation
import JWTKit
import ReactorCore
import Synchronization

/// Keys generated for one test run (swift-crypto and jwt-kit), in PEM and JWK form.
enum TestKeys {
    /// A 2048-bit RSA key pair (swift-crypto's `_RSA`) as PEM, generated once per test process: RSA key generation
    /// takes seconds in a debug build, on a thread of the cooperative pool every other test needs.
    static func rsa() throws -> (privatePEM: String, publicPEM: String) {
        try rsaPair.get()
    }

    private static let rsaPair = Result { () throws -> (privatePEM: String, publicPEM: String) in
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return (key.pemRepresentation, key.publicKey.pemRepresentation)
    }

    /// A fresh P-256 key pair (jwt-kit) as PEM.
    static func p256() -> (privatePEM: String, publicPEM: String) {
        let key = ES256PrivateKey()
        return (key.pemRepresentation, key.publicKey.pemRepresentation)
    }

    /// A fresh Ed25519 key pair (jwt-kit) as PEM.
    static func ed25519() throws -> (privatePEM: String, publicPEM: String) {
        let key = try EdDSA.PrivateKey(curve: .ed25519)
        return (key.pemRepresentation, key.publicKey.pemRepresentation)
    }

    /// The public JWK (a JSON object) of a public key PEM, with `kid` and optionally `alg`.
    static func jwk(publicPEM: String, kid: String?, alg: String? = nil) throws -> [String: String] {
        var fields: [String: String] = [:]
        if let key = try? Insecure.RSA.PublicKey(pem: publicPEM) {
            let primitives = try key.getKeyPrimitives()
            fields = ["kty": "RSA", "n": b64(primitives.modulus), "e": b64(primitives.publicExponent)]
        } else if let key = try? ES256PublicKey(pem: publicPEM), let parameters = key.parameters {
            fields = ["kty": "EC", "crv": "P-256", "x": parameters.x, "y": parameters.y]
        } else {
            let key = try EdDSA.PublicKey(pem: publicPEM)
            fields = ["kty": "OKP", "crv": "Ed25519", "x": b64(key.rawRepresentation)]
        }
        fields["kid"] = kid
        fields["alg"] = alg
        return fields
    }

    /// A JWKS document holding `keys`.
    static func jwks(_ keys: [[String: String]]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func b64(_ data: Data) -> String { Base64URL.encode(Array(data)) }

    /// A token built by hand: the given header and payload JSON and signature bytes, base64url-encoded.
    static func rawToken(header: String, payload: String, signature: [UInt8] = []) -> String {
        [Base64URL.encode(Array(header.utf8)), Base64URL.encode(Array(payload.utf8)), Base64URL.encode(signature)]
            .joined(separator: ".")
    }
}

/// A settable clock for expiry tests.
final class TestClock: Sendable {
    private let seconds: Mutex<TimeInterval>

    init(_ date: Date = Date()) { seconds = Mutex(date.timeIntervalSince1970) }

    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ delta: TimeInterval) { seconds.withLock { $0 += delta } }
    var function: @Sendable () -> Date { { self.now } }
}
