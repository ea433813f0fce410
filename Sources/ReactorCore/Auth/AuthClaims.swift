import Foundation

/// What a verified token says about its bearer.
///
/// Its JSON form is JWT-shaped, the body of `GET /reactor/v1/auth/me` (inside `{"claims": …}`):
/// `{"sub": "alice", "iss": "https://id.example", "aud": ["reactor"], "exp": 1767225600, "iat": 1767222000,
/// "roles": ["admin"]}`. `exp` and `iat` are whole Unix seconds; `iss`, `exp` and `iat` are left out when absent.
/// Decoding also accepts `aud` as a single string, fractional seconds, and a missing `aud` or `roles` (empty).
public struct AuthClaims: Sendable, Hashable, Codable {
    /// The subject (`sub`): the user or service id.
    public var subject: String
    /// The issuer (`iss`), when present.
    public var issuer: String?
    /// The audiences (`aud`).
    public var audience: [String]
    /// When the token expires (`exp`).
    public var expiresAt: Date?
    /// When the token was issued (`iat`).
    public var issuedAt: Date?
    /// Roles (`roles` claim), empty when absent.
    public var roles: [String]

    /// Creates claims from their parts.
    public init(
        subject: String, issuer: String? = nil, audience: [String] = [], expiresAt: Date? = nil, issuedAt: Date? = nil,
        roles: [String] = []
    ) {
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.roles = roles
    }

    /// Whether `roles` contains `role`.
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }

    private enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case issuer = "iss"
        case audience = "aud"
        case expiresAt = "exp"
        case issuedAt = "iat"
        case roles
    }

    /// Decodes the JWT-shaped form (see the type's documentation).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decode(String.self, forKey: .subject)
        issuer = try container.decodeIfPresent(String.self, forKey: .issuer)
        if let single = try? container.decodeIfPresent(String.self, forKey: .audience) {
            audience = [single]
        } else {
            audience = try container.decodeIfPresent([String].self, forKey: .audience) ?? []
        }
        func time(_ key: CodingKeys) throws -> Date? {
            try container.decodeIfPresent(Double.self, forKey: key).map { Date(timeIntervalSince1970: $0) }
        }
        expiresAt = try time(.expiresAt)
        issuedAt = try time(.issuedAt)
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
    }

    /// Encodes the JWT-shaped form: times as whole Unix seconds, `aud` always an array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subject, forKey: .subject)
        try container.encodeIfPresent(issuer, forKey: .issuer)
        try container.encode(audience, forKey: .audience)
        try container.encodeIfPresent(expiresAt.map(Self.unixSeconds), forKey: .expiresAt)
        try container.encodeIfPresent(issuedAt.map(Self.unixSeconds), forKey: .issuedAt)
        try container.encode(roles, forKey: .roles)
    }

    /// Whole seconds since 1970, rounded toward zero and clamped to the range of `Int64`.
    static func unixSeconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.towardZero)
        guard seconds.isFinite else { return 0 }
        if seconds >= 9.2e18 { return Int64.max }
        if seconds <= -9.2e18 { return Int64.min }
        return Int64(seconds)
    }
}
