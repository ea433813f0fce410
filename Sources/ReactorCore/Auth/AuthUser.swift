import Foundation

/// A user as ``AuthClient/user(id:)`` and `GET /auth/v1/me` show it: never a password hash or a token.
///
/// JSON: `{"id", "email", "displayName", "roles", "disabled", "createdAt", "lastLoginAt"?}` (times in ISO 8601).
public struct AuthUser: Sendable, Hashable, Codable {
    /// The stable user id (the `sub` of its tokens).
    public var id: String
    /// The email, normalised (trimmed, lower-cased); empty when the identity provider did not give one.
    public var email: String
    /// The name shown to people.
    public var displayName: String
    /// Roles (`admin`, …).
    public var roles: [String]
    /// Whether the account is disabled (no login, refresh or API key works).
    public var disabled: Bool
    /// When the account was created (the token's `iat` for users known only from claims).
    public var createdAt: Date
    /// The last successful login, if any.
    public var lastLoginAt: Date?

    /// Creates a user from its parts.
    public init(
        id: String, email: String = "", displayName: String = "", roles: [String] = [], disabled: Bool = false,
        createdAt: Date = Date(timeIntervalSince1970: 0), lastLoginAt: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.roles = roles
        self.disabled = disabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }

    /// Whether `roles` contains `role`.
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }
}

extension AuthUser {
    private enum CodingKeys: String, CodingKey {
        case id, email, displayName, roles, disabled, createdAt, lastLoginAt
    }

    /// Decodes the JSON form (times in ISO 8601).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), email: try c.decode(String.self, forKey: .email),
            displayName: try c.decode(String.self, forKey: .displayName), roles: try c.decode([String].self, forKey: .roles),
            disabled: try c.decode(Bool.self, forKey: .disabled),
            createdAt: try ISOTime.decode(c.decode(String.self, forKey: .createdAt)),
            lastLoginAt: try c.decodeIfPresent(String.self, forKey: .lastLoginAt).map(ISOTime.decode))
    }

    /// Encodes the JSON form (times in ISO 8601, `lastLoginAt` left out when absent).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(roles, forKey: .roles)
        try c.encode(disabled, forKey: .disabled)
        try c.encode(ISOTime.encode(createdAt), forKey: .createdAt)
        try c.encodeIfPresent(lastLoginAt.map(ISOTime.encode), forKey: .lastLoginAt)
    }
}

/// Times in the identity JSON bodies: ISO 8601 in UTC with whole seconds (`2026-12-04T22:55:00Z`).
public enum ISOTime {
    /// `date` as ISO 8601 text.
    public static func encode(_ date: Date) -> String { date.formatted(.iso8601) }

    /// The date of ISO 8601 text; `INVALID_INPUT` when it is not one.
    public static func decode(_ text: String) throws -> Date {
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw ReactorError(.invalidInput, "'\(text)' is not an ISO 8601 time")
        }
        return date
    }
}
