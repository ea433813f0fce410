import Crypto
import Foundation
import ReactorCore
import Synchronization

/// A bounded, short-lived cache of verified claims, keyed by the SHA-256 of the token (tokens are not kept).
///
/// An entry expires at the earlier of its token's `exp` and the time it was stored plus the ttl. When full, expired
/// entries are dropped first, then the entries that expire soonest.
final class ClaimsCache: Sendable {
    private struct Entry {
        var claims: AuthClaims
        var expiresAt: Date
    }

    private let ttl: TimeInterval
    private let capacity: Int
    private let entries = Mutex<[Data: Entry]>([:])

    init(ttl: TimeInterval, capacity: Int) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    /// The cache key of `token`.
    static func key(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// The cached claims for `key`, if present and not expired at `now`.
    func claims(for key: Data, now: Date) -> AuthClaims? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expiresAt <= now {
                entries[key] = nil
                return nil
            }
            return entry.claims
        }
    }

    /// Stores `claims` for `key` (nothing when they are already expired at `now`).
    func store(_ claims: AuthClaims, for key: Data, now: Date) {
        var expiresAt = now.addingTimeInterval(ttl)
        if let exp = claims.expiresAt, exp < expiresAt { expiresAt = exp }
        guard expiresAt > now else { return }
        entries.withLock { entries in
            if entries[key] == nil && entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= capacity {
                    let drop = entries.sorted { $0.value.expiresAt < $1.value.expiresAt }
                        .prefix(entries.count - capacity + 1)
                    for (dropKey, _) in drop { entries[dropKey] = nil }
                }
            }
            entries[key] = Entry(claims: claims, expiresAt: expiresAt)
        }
    }

    /// The number of entries held (expired ones included until they are dropped).
    var count: Int { entries.withLock { $0.count } }
}
