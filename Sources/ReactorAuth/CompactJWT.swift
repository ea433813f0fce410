import Foundation
import ReactorCore

/// A compact JWS (`header.payload.signature`) split and decoded, before its signature is checked.
///
/// Parsing never traps: every problem becomes a `TOKEN_MALFORMED` error that says what is wrong.
struct CompactJWT: Sendable {
    /// The `alg` header.
    var algorithm: String
    /// The `kid` header, when present.
    var keyID: String?
    /// `header.payload` as sent: what the signature covers.
    var signingInput: [UInt8]
    /// The decoded signature bytes.
    var signature: [UInt8]
    /// The decoded payload claims.
    var claims: TokenClaims

    /// The header fields Reactor reads.
    private struct Header: Decodable {
        var alg: String?
        var kid: String?
        var crit: [String]?

        private enum CodingKeys: String, CodingKey { case alg, kid, crit }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func field<T: Decodable>(_ type: T.Type, _ key: CodingKeys, _ expected: String) throws -> T? {
                do {
                    return try container.decodeIfPresent(T.self, forKey: key)
                } catch {
                    throw TokenClaims.InvalidClaim(name: key.stringValue, expected: expected)
                }
            }
            alg = try field(String.self, .alg, "a string")
            kid = try field(String.self, .kid, "a string")
            crit = try field([String].self, .crit, "an array of strings")
        }
    }

    init(parsing token: String) throws(ReactorError) {
        try TokenText.check(token)
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Self.malformed("the token is not three dot-separated base64url parts (header.payload.signature)")
        }
        guard let headerBytes = Base64URL.decode(parts[0], padding: .forbidden), !headerBytes.isEmpty else {
            throw Self.malformed("the token header is not base64url")
        }
        guard let payloadBytes = Base64URL.decode(parts[1], padding: .forbidden), !payloadBytes.isEmpty else {
            throw Self.malformed("the token payload is not base64url")
        }
        guard let signatureBytes = Base64URL.decode(parts[2], padding: .forbidden) else {
            throw Self.malformed("the token signature is not base64url")
        }
        let header = try Self.decode(Header.self, from: headerBytes, part: "header")
        guard let alg = header.alg, !alg.isEmpty else { throw Self.malformed("the token header has no 'alg'") }
        if let crit = header.crit, !crit.isEmpty {
            let names = crit.joined(separator: ", ")
            throw Self.malformed("the token header marks extensions critical (\(names)); none are supported")
        }
        self.algorithm = alg
        self.keyID = header.kid
        self.claims = try Self.decode(TokenClaims.self, from: payloadBytes, part: "payload")
        self.signingInput = Array(bytes[..<parts[1].endIndex])
        self.signature = signatureBytes
    }

    private static func decode<T: Decodable>(
        _ type: T.Type, from bytes: [UInt8], part: String
    ) throws(ReactorError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as TokenClaims.InvalidClaim {
            let what = part == "header" ? "header field" : "claim"
            throw malformed("the token \(what) '\(error.name)' must be \(error.expected)")
        } catch DecodingError.typeMismatch {
            throw malformed("the token \(part) is not a JSON object")
        } catch {
            throw malformed("the token \(part) is not valid JSON")
        }
    }

    static func malformed(_ message: String) -> ReactorError {
        ReactorError(.tokenMalformed, message)
    }
}
