import Foundation

/// Where the identity service keeps users, refresh-token sessions and API keys.
///
/// Adapters: `ReactorMemory.InMemoryIdentityStore`, `ReactorSQLite.SQLiteIdentityStore` and
/// `ReactorPostgres.PostgresIdentityStore` (tables created by their store's migrations); all pass
/// `ReactorTesting.IdentityStoreConformance`. Secrets are stored hashed: the store never sees a password, a refresh
/// token or an API key.
public protocol IdentityStore: Sendable {
    /// Adds a user. Throws ``ReactorError/Code/emailTaken`` when the (normalised) email is taken.
    func insertUser(_ record: UserRecord) async throws
    /// Replaces a user (same id). Throws ``ReactorError/Code/userNotFound`` when there is none.
    func updateUser(_ record: UserRecord) async throws
    /// The user with this id.
    func user(id: String) async throws -> UserRecord?
    /// The user with this normalised email.
    func user(email: String) async throws -> UserRecord?
    /// Every user, oldest first.
    func users() async throws -> [UserRecord]
    /// How many users exist.
    func userCount() async throws -> Int

    /// Adds a refresh token.
    func insertSession(_ record: SessionRecord) async throws
    /// The refresh token whose hash is `tokenHash`.
    func session(tokenHash: String) async throws -> SessionRecord?
    /// Marks the token `id` used at `at`, atomically: true when it was unused and not revoked (this caller may
    /// rotate it), false when someone used or revoked it first.
    func markSessionUsed(id: String, at: Date) async throws -> Bool
    /// Revokes every token of the family.
    func revokeSessionFamily(_ familyID: String) async throws
    /// Revokes every token of the user.
    func revokeSessions(userID: String) async throws

    /// Adds an API key.
    func insertAPIKey(_ record: APIKeyRecord) async throws
    /// The API key whose hash is `keyHash`.
    func apiKey(keyHash: String) async throws -> APIKeyRecord?
    /// The API keys of a user, or of everyone when `userID` is nil, oldest first.
    func apiKeys(userID: String?) async throws -> [APIKeyRecord]
    /// Marks the key revoked at `at`; false when there is no such key.
    func revokeAPIKey(id: String, at: Date) async throws -> Bool
}
