import Foundation

/// A stored user: what ``AuthUser`` shows plus the password hash (never shown, never logged).
public struct UserRecord: Sendable, Hashable {
    /// The user.
    public var user: AuthUser
    /// The password hash in PHC form (`$scrypt$ln=…,r=…,p=…$salt$hash`); nil for accounts without a password.
    public var passwordHash: String?

    /// Creates a record.
    public init(user: AuthUser, passwordHash: String?) {
        self.user = user
        self.passwordHash = passwordHash
    }
}

/// One refresh token of a session family. Only its SHA-256 hash is stored.
///
/// A login starts a family; every refresh marks the presented token used and adds the next one to the same family.
/// A used token presented again revokes the family (reuse detection).
public struct SessionRecord: Sendable, Hashable {
    /// The token's id.
    public var id: String
    /// The session family (the login it descends from).
    public var familyID: String
    /// The user it belongs to.
    public var userID: String
    /// SHA-256 of the token, hex.
    public var tokenHash: String
    /// When it was issued.
    public var createdAt: Date
    /// When it stops working.
    public var expiresAt: Date
    /// When it was exchanged for the next token (then it must never be presented again).
    public var usedAt: Date?
    /// Whether its family was revoked (logout, reuse, password change, disabled user).
    public var revoked: Bool

    /// Creates a record.
    public init(
        id: String, familyID: String, userID: String, tokenHash: String, createdAt: Date, expiresAt: Date,
        usedAt: Date? = nil, revoked: Bool = false
    ) {
        self.id = id
        self.familyID = familyID
        self.userID = userID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revoked = revoked
    }
}

/// An API key for a service. Only its SHA-256 hash is stored; the key itself is shown once, at creation.
///
/// JSON (without the hash): `{"id", "name", "userId", "roles", "createdAt", "revokedAt"?}`, times in ISO 8601.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// The key's id (also the public part of the key text).
    public var id: String
    /// A label for people.
    public var name: String
    /// The user the key acts for (its tokens' `sub`).
    public var userID: String
    /// The roles the key carries (a subset of its user's roles when created).
    public var roles: [String]
    /// SHA-256 of the key text, hex.
    public var keyHash: String
    /// When it was created.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a record.
    public init(
        id: String, name: String, userID: String, roles: [String], keyHash: String, createdAt: Date,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.userID = userID
        self.roles = roles
        self.keyHash = keyHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, userID = "userId", roles, createdAt, revokedAt
    }

    /// Decodes the public form (the hash is not part of it and decodes empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        userID = try c.decode(String.self, forKey: .userID)
        roles = try c.decode([String].self, forKey: .roles)
        createdAt = try ISOTime.decode(c.decode(String.self, forKey: .createdAt))
        revokedAt = try c.decodeIfPresent(String.self, forKey: .revokedAt).map(ISOTime.decode)
        keyHash = ""
    }

    /// Encodes the public form: never the hash.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(userID, forKey: .userID)
        try c.encode(roles, forKey: .roles)
        try c.encode(ISOTime.encode(createdAt), forKey: .createdAt)
        try c.encodeIfPresent(revokedAt.map(ISOTime.encode), forKey: .revokedAt)
    }
}
