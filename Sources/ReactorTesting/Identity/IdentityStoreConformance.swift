import Foundation
import ReactorCore

/// The conformance suite every ``IdentityStore`` adapter passes (in memory, SQLite, PostgreSQL).
///
/// Users round-trip with every field and are found by id and normalised email; a taken email is `EMAIL_TAKEN`;
/// updates replace; refresh tokens are marked used exactly once (also under concurrency), families and users are
/// revoked; API keys round-trip, list per user and revoke.
public enum IdentityStoreConformance {
    /// One named check; `run` gets a fresh, empty store.
    public struct Case: Sendable, CustomStringConvertible {
        /// What it checks.
        public let name: String
        /// Runs the check on an empty store.
        public let run: @Sendable (any IdentityStore) async throws -> Void
        /// The name.
        public var description: String { name }
    }

    static func user(_ n: Int, email: String? = nil, roles: [String] = []) -> UserRecord {
        UserRecord(
            user: AuthUser(
                id: "user-\(n)", email: email ?? "user\(n)@example.com", displayName: "User \(n) ✓", roles: roles,
                createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
                lastLoginAt: n % 2 == 0 ? Date(timeIntervalSince1970: 1_700_000_500) : nil),
            passwordHash: n % 3 == 0 ? nil : "$scrypt$ln=1,r=1,p=1$c2FsdA$a2V5")
    }

    static func session(_ id: String, family: String, user: String = "user-1") -> SessionRecord {
        SessionRecord(
            id: id, familyID: family, userID: user, tokenHash: "hash-\(id)",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// Every case.
    public static let cases: [Case] = [
        Case(name: "users round-trip and are found by id and email") { store in
            for n in 1...3 { try await store.insertUser(user(n, roles: n == 1 ? ["admin", "ops"] : [])) }
            for n in 1...3 {
                let byID = try await store.user(id: "user-\(n)")
                try check(byID == user(n, roles: n == 1 ? ["admin", "ops"] : []), "user \(n) by id: \(String(describing: byID))")
                let byEmail = try await store.user(email: "user\(n)@example.com")
                try check(byEmail?.user.id == "user-\(n)", "user \(n) by email: \(String(describing: byEmail))")
            }
            let missing = try await store.user(id: "nobody")
            try check(missing == nil, "an unknown id was found")
            let count = try await store.userCount()
            try check(count == 3, "userCount is \(count)")
            let all = try await store.users().map(\.user.id)
            try check(all == ["user-1", "user-2", "user-3"], "users() in order: \(all)")
        },
        Case(name: "a taken email is EMAIL_TAKEN") { store in
            try await store.insertUser(user(1))
            do {
                try await store.insertUser(user(2, email: "user1@example.com"))
                throw ConformanceFailure("a second user with the same email was stored")
            } catch let error as ReactorError {
                try check(error.code == .emailTaken, "expected EMAIL_TAKEN, got \(error.debugDescription)")
            }
            let count = try await store.userCount()
            try check(count == 1, "userCount is \(count) after a refused insert")
        },
        Case(name: "updates replace a user") { store in
            try await store.insertUser(user(1))
            var changed = user(1)
            changed.user.roles = ["admin"]
            changed.user.disabled = true
            changed.user.lastLoginAt = Date(timeIntervalSince1970: 1_700_001_000)
            changed.passwordHash = "$scrypt$ln=2,r=1,p=1$c2FsdA$bmV3"
            try await store.updateUser(changed)
            let read = try await store.user(id: "user-1")
            try check(read == changed, "after update: \(String(describing: read))")
            do {
                try await store.updateUser(user(9))
                throw ConformanceFailure("an update of an unknown user succeeded")
            } catch let error as ReactorError {
                try check(error.code == .userNotFound, "expected USER_NOT_FOUND, got \(error.debugDescription)")
            }
        },
        Case(name: "a refresh token is used once") { store in
            try await store.insertSession(session("s1", family: "f1"))
            let read = try await store.session(tokenHash: "hash-s1")
            try check(read == session("s1", family: "f1"), "session read back: \(String(describing: read))")
            let first = try await store.markSessionUsed(id: "s1", at: Date(timeIntervalSince1970: 1_700_000_100))
            try check(first, "the first use was refused")
            let second = try await store.markSessionUsed(id: "s1", at: Date(timeIntervalSince1970: 1_700_000_200))
            try check(!second, "a second use was accepted")
            let used = try await store.session(tokenHash: "hash-s1")
            try check(used?.usedAt == Date(timeIntervalSince1970: 1_700_000_100), "usedAt: \(String(describing: used?.usedAt))")
        },
        Case(name: "concurrent uses of one refresh token: exactly one wins") { store in
            try await store.insertSession(session("s1", family: "f1"))
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<8 {
                    group.addTask { try await store.markSessionUsed(id: "s1", at: Date(timeIntervalSince1970: 1_700_000_000 + Double(n))) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            try check(wins == 1, "\(wins) concurrent uses won")
        },
        Case(name: "revoking a family and a user's sessions") { store in
            try await store.insertSession(session("a1", family: "fa"))
            try await store.insertSession(session("a2", family: "fa"))
            try await store.insertSession(session("b1", family: "fb"))
            try await store.insertSession(session("c1", family: "fc", user: "user-2"))
            try await store.revokeSessionFamily("fa")
            for (id, revoked) in [("a1", true), ("a2", true), ("b1", false), ("c1", false)] {
                let s = try await store.session(tokenHash: "hash-\(id)")
                try check(s?.revoked == revoked, "\(id) revoked is \(String(describing: s?.revoked))")
            }
            let refused = try await store.markSessionUsed(id: "a2", at: Date())
            try check(!refused, "a revoked token was marked used")
            try await store.revokeSessions(userID: "user-1")
            let b1 = try await store.session(tokenHash: "hash-b1")
            let c1 = try await store.session(tokenHash: "hash-c1")
            try check(b1?.revoked == true && c1?.revoked == false, "revokeSessions(userID:) revoked b1 \(String(describing: b1?.revoked)), c1 \(String(describing: c1?.revoked))")
        },
        Case(name: "API keys round-trip, list per user and revoke") { store in
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            let k1 = APIKeyRecord(id: "k1", name: "ci", userID: "user-1", roles: ["ops"], keyHash: "h1", createdAt: created)
            let k2 = APIKeyRecord(id: "k2", name: "backup", userID: "user-2", roles: [], keyHash: "h2", createdAt: created.addingTimeInterval(1))
            try await store.insertAPIKey(k1)
            try await store.insertAPIKey(k2)
            let read = try await store.apiKey(keyHash: "h1")
            try check(read == k1, "key read back: \(String(describing: read))")
            let mine = try await store.apiKeys(userID: "user-1").map(\.id)
            try check(mine == ["k1"], "keys of user-1: \(mine)")
            let all = try await store.apiKeys(userID: nil).map(\.id)
            try check(all == ["k1", "k2"], "every key: \(all)")
            let revokedAt = Date(timeIntervalSince1970: 1_700_000_100)
            let revoked = try await store.revokeAPIKey(id: "k1", at: revokedAt)
            try check(revoked, "revoking an existing key returned false")
            let again = try await store.apiKey(keyHash: "h1")
            try check(again?.revokedAt == revokedAt, "revokedAt: \(String(describing: again?.revokedAt))")
            let unknown = try await store.revokeAPIKey(id: "nope", at: revokedAt)
            try check(!unknown, "revoking an unknown key returned true")
        },
    ]
}
