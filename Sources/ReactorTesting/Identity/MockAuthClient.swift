import Foundation
import ReactorCore
import Synchronization

/// An ``AuthClient`` for tests above the protocol: tokens and users are whatever the test registers.
///
/// `verify` answers the claims registered for a token, and `TOKEN_SIGNATURE_INVALID` for any other; `user(id:)`
/// answers a registered user or `USER_NOT_FOUND`. It counts the calls it served.
public final class MockAuthClient: AuthClient {
    private struct State {
        var tokens: [String: AuthClaims] = [:]
        var users: [String: AuthUser] = [:]
        var calls = 0
    }

    private let state = Mutex(State())

    /// A client that knows nothing yet.
    public init() {}

    /// Makes `token` verify as `user` (and registers the user).
    public func register(token: String, for user: AuthUser) {
        state.withLock { s in
            s.tokens[token] = AuthClaims(subject: user.id, roles: user.roles)
            s.users[user.id] = user
        }
    }

    /// Makes `token` stop verifying.
    public func revoke(token: String) {
        _ = state.withLock { $0.tokens.removeValue(forKey: token) }
    }

    /// How many calls were served.
    public var calls: Int { state.withLock { $0.calls } }

    public func verify(token: String) async throws -> AuthClaims {
        let claims = state.withLock { s -> AuthClaims? in
            s.calls += 1
            return s.tokens[token]
        }
        guard let claims else { throw ReactorError(.tokenSignature, "the token's signature does not verify") }
        return claims
    }

    public func user(id: String) async throws -> AuthUser {
        let user = state.withLock { s -> AuthUser? in
            s.calls += 1
            return s.users[id]
        }
        guard let user else { throw ReactorError(.userNotFound, "no user '\(id)'") }
        return user
    }
}
