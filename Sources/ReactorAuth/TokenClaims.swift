import JWTKit

/// The registered claims Reactor reads from (and writes into) a JWT payload.
///
/// Decoding checks each claim's type and names the claim it rejects (``InvalidClaim``); other claims are ignored.
/// Times are Unix seconds (fractions accepted when decoding, whole seconds written when encoding).
struct TokenClaims: JWTPayload, Equatable {
    var subject: String?
    var issuer: String?
    var audience: [String]?
    var expiresAt: Double?
    var notBefore: Double?
    var issuedAt: Double?
    var roles: [String]?

    init(
        subject: String?, issuer: String? = nil, audience: [String]? = nil, expiresAt: Double? = nil,
        notBefore: Double? = nil, issuedAt: Double? = nil, roles: [String]? = nil
    ) {
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.roles = roles
    }

    /// A claim that is present with the wrong type.
    struct InvalidClaim: Error {
        var name: String
        var expected: String
    }

    private enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case issuer = "iss"
        case audience = "aud"
        case expiresAt = "exp"
        case notBefore = "nbf"
        case issuedAt = "iat"
        case roles
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func claim<T: Decodable>(_ type: T.Type, _ key: CodingKeys, _ expected: String) throws -> T? {
            do {
                return try container.decodeIfPresent(T.self, forKey: key)
            } catch {
                throw InvalidClaim(name: key.stringValue, expected: expected)
            }
        }
        func time(_ key: CodingKeys) throws -> Double? {
            guard let value = try claim(Double.self, key, "a number (Unix seconds)") else { return nil }
            guard value.isFinite, abs(value) < 1e15 else {
                throw InvalidClaim(name: key.stringValue, expected: "a number (Unix seconds)")
            }
            return value
        }
        subject = try claim(String.self, .subject, "a string")
        issuer = try claim(String.self, .issuer, "a string")
        if let single = try? container.decodeIfPresent(String.self, forKey: .audience) {
            audience = [single]
        } else {
            audience = try claim([String].self, .audience, "a string or an array of strings")
        }
        expiresAt = try time(.expiresAt)
        notBefore = try time(.notBefore)
        issuedAt = try time(.issuedAt)
        roles = try claim([String].self, .roles, "an array of strings")
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func seconds(_ value: Double?) -> Int64? { value.map { Int64($0.rounded(.towardZero)) } }
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(issuer, forKey: .issuer)
        try container.encodeIfPresent(audience, forKey: .audience)
        try container.encodeIfPresent(seconds(expiresAt), forKey: .expiresAt)
        try container.encodeIfPresent(seconds(notBefore), forKey: .notBefore)
        try container.encodeIfPresent(seconds(issuedAt), forKey: .issuedAt)
        try container.encodeIfPresent(roles, forKey: .roles)
    }

    /// Claims are checked by ``JWTAuthClient`` (with its leeway, issuer and audience), not by jwt-kit.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
