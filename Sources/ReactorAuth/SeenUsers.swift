import Foundation
import ReactorCore
import Synchronization

/// The users whose tokens a ``JWTAuthClient`` verified, newest claims per subject, bounded: what
/// ``JWTAuthClient/user(id:)`` answers from when the identity provider is external.
final class SeenUsers: Sendable {
    /// The most subjects kept; past it the least recently seen is forgotten.
    static let capacity = 10_000

    private struct State {
        var users: [String: (user: AuthUser, seen: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Records the subject of verified `claims`.
    func record(_ claims: AuthClaims) {
        let user = AuthUser(
            id: claims.subject, roles: claims.roles, createdAt: claims.issuedAt ?? Date(timeIntervalSince1970: 0))
        state.withLock { s in
            s.clock += 1
            s.users[claims.subject] = (user, s.clock)
            if s.users.count > Self.capacity, let oldest = s.users.min(by: { $0.value.seen < $1.value.seen })?.key {
                s.users[oldest] = nil
            }
        }
    }

    /// The user `id`, if one of its tokens was seen.
    func user(id: String) -> AuthUser? {
        state.withLock { $0.users[id]?.user }
    }
}
