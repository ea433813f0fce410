import Foundation
import ReactorCore
import Synchronization

/// The in-memory ``IdentityStore``: the default of tests and of a server without a database-backed store.
/// Everything is lost when the process ends.
public final class InMemoryIdentityStore: IdentityStore {
    private struct State {
        var users: [UserRecord] = []
        var sessions: [String: SessionRecord] = [:]
        var apiKeys: [APIKeyRecord] = []
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    public func insertUser(_ record: UserRecord) async throws {
        try state.withLock { s in
            if s.users.contains(where: { $0.user.email == record.user.email }) {
                throw ReactorError(.emailTaken, "an account with this email exists")
            }
            if s.users.contains(where: { $0.user.id == record.user.id }) {
                throw ReactorError(.storage, "a user with id '\(record.user.id)' exists")
            }
            s.users.append(record)
        }
    }

    public func updateUser(_ record: UserRecord) async throws {
        try state.withLock { s in
            guard let index = s.users.firstIndex(where: { $0.user.id == record.user.id }) else {
                throw ReactorError(.userNotFound, "no user '\(record.user.id)'")
            }
            if s.users.contains(where: { $0.user.email == record.user.email && $0.user.id != record.user.id }) {
                throw ReactorError(.emailTaken, "an account with this email exists")
            }
            s.users[index] = record
        }
    }

    public func user(id: String) async throws -> UserRecord? {
        state.withLock { s in s.users.first { $0.user.id == id } }
    }

    public func user(email: String) async throws -> UserRecord? {
        state.withLock { s in s.users.first { $0.user.email == email } }
    }

    public func users() async throws -> [UserRecord] { state.withLock { $0.users } }

    public func userCount() async throws -> Int { state.withLock { $0.users.count } }

    public func insertSession(_ record: SessionRecord) async throws {
        state.withLock { $0.sessions[record.tokenHash] = record }
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        state.withLock { $0.sessions[tokenHash] }
    }

    public func markSessionUsed(id: String, at: Date) async throws -> Bool {
        state.withLock { s in
            guard let key = s.sessions.first(where: { $0.value.id == id })?.key,
                var record = s.sessions[key], record.usedAt == nil, !record.revoked
            else { return false }
            record.usedAt = at
            s.sessions[key] = record
            return true
        }
    }

    public func revokeSessionFamily(_ familyID: String) async throws {
        state.withLock { s in
            for (key, record) in s.sessions where record.familyID == familyID { s.sessions[key]?.revoked = true }
        }
    }

    public func revokeSessions(userID: String) async throws {
        state.withLock { s in
            for (key, record) in s.sessions where record.userID == userID { s.sessions[key]?.revoked = true }
        }
    }

    public func insertAPIKey(_ record: APIKeyRecord) async throws {
        state.withLock { $0.apiKeys.append(record) }
    }

    public func apiKey(keyHash: String) async throws -> APIKeyRecord? {
        state.withLock { s in s.apiKeys.first { $0.keyHash == keyHash } }
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        state.withLock { s in s.apiKeys.filter { userID == nil || $0.userID == userID } }
    }

    public func revokeAPIKey(id: String, at: Date) async throws -> Bool {
        state.withLock { s in
            guard let index = s.apiKeys.firstIndex(where: { $0.id == id }) else { return false }
            if s.apiKeys[index].revokedAt == nil { s.apiKeys[index].revokedAt = at }
            return true
        }
    }
}
