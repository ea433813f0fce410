import Foundation
import ReactorCore

extension IdentityService {
    /// Creates an API key for `userID`, carrying `roles` (each one the user has). The key text is returned this
    /// once; only its hash is stored.
    ///
    /// - Throws: `USER_NOT_FOUND`, `INVALID_INPUT` (name, roles; `FORBIDDEN` for a role the user lacks).
    public func createAPIKey(userID: String, name: String, roles: [String]) async throws -> CreatedAPIKey {
        let user = try await record(id: userID).user
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ReactorError(.invalidInput, "the key's name must be 1 to 100 printable characters", details: ["path": "name"])
        }
        let roles = try Self.checkedRoles(roles)
        if let missing = roles.first(where: { !user.roles.contains($0) }) {
            throw ReactorError(.forbidden, "an API key cannot carry the role '\(missing)' its user does not have")
        }
        let (id, key) = Secrets.apiKey()
        let stored = APIKeyRecord(
            id: id, name: name, userID: userID, roles: roles, keyHash: Secrets.hash(key),
            createdAt: Self.wholeSeconds(now()))
        try await store.insertAPIKey(stored)
        return CreatedAPIKey(apiKey: stored, key: key)
    }

    /// The API keys of `userID`, or everyone's when nil, oldest first (never their hashes in JSON).
    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        try await store.apiKeys(userID: userID)
    }

    /// Revokes key `id`. When `ownerID` is given, only a key of that user is revoked (others are "not found").
    ///
    /// - Throws: `API_KEY_NOT_FOUND`.
    public func revokeAPIKey(id: String, ownerID: String? = nil) async throws {
        if let ownerID {
            guard try await store.apiKeys(userID: ownerID).contains(where: { $0.id == id }) else {
                throw ReactorError(.apiKeyNotFound, "no API key '\(id)'")
            }
        }
        guard try await store.revokeAPIKey(id: id, at: Self.wholeSeconds(now())) else {
            throw ReactorError(.apiKeyNotFound, "no API key '\(id)'")
        }
    }

    /// The claims of an API key: its user as `sub`, the key's roles that the user still has.
    func verifyAPIKey(_ key: String) async throws -> AuthClaims {
        guard let stored = try await store.apiKey(keyHash: Secrets.hash(key)), stored.revokedAt == nil else {
            throw ReactorError(.apiKeyInvalid, "the API key is not valid")
        }
        guard let user = try await store.user(id: stored.userID)?.user else {
            throw ReactorError(.apiKeyInvalid, "the API key is not valid")
        }
        if user.disabled { throw ReactorError(.userDisabled, "the account is disabled") }
        return AuthClaims(
            subject: user.id, issuer: configuration.issuer, audience: [configuration.audience],
            roles: stored.roles.filter(user.roles.contains))
    }
}
