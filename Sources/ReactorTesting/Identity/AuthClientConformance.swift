import Foundation
import ReactorCore

/// The conformance suite every ``AuthClient`` adapter passes (in process, remote, external JWT, the mock).
///
/// A ``Fixture`` gives the client under test, a valid token of a known user, and tokens that must be refused.
public enum AuthClientConformance {
    /// What a case needs.
    public struct Fixture: Sendable {
        /// The client under test.
        public var client: any AuthClient
        /// A token the client accepts.
        public var validToken: String
        /// The user `validToken` belongs to (its id, and roles the claims must carry).
        public var user: AuthUser
        /// Tokens the client must refuse with a 401 code (garbage, another key, expired …).
        public var invalidTokens: [String]

        /// Creates a fixture.
        public init(client: any AuthClient, validToken: String, user: AuthUser, invalidTokens: [String]) {
            self.client = client
            self.validToken = validToken
            self.user = user
            self.invalidTokens = invalidTokens
        }
    }

    /// One named check.
    public struct Case: Sendable, CustomStringConvertible {
        /// What it checks.
        public let name: String
        /// Runs the check.
        public let run: @Sendable (Fixture) async throws -> Void
        /// The name.
        public var description: String { name }
    }

    /// The codes a refused token may carry (the server answers each with 401).
    public static let refusalCodes: Set<ReactorError.Code> = [
        .unauthenticated, .tokenMalformed, .tokenExpired, .tokenSignature, .tokenAudience, .tokenIssuer, .apiKeyInvalid,
        .userDisabled,
    ]

    /// Every case.
    public static let cases: [Case] = [
        Case(name: "a valid token verifies as its user") { f in
            let claims = try await f.client.verify(token: f.validToken)
            try check(claims.subject == f.user.id, "subject \(claims.subject), expected \(f.user.id)")
            try check(Set(f.user.roles).isSubset(of: Set(claims.roles)), "roles \(claims.roles), expected \(f.user.roles)")
        },
        Case(name: "invalid tokens are refused with a 401 code") { f in
            for token in f.invalidTokens + ["", "not-a-token", "a.b.c"] {
                do {
                    _ = try await f.client.verify(token: token)
                    throw ConformanceFailure("the token '\(token.prefix(40))' verified")
                } catch let error as ReactorError {
                    try check(refusalCodes.contains(error.code), "'\(token.prefix(40))' failed with \(error.debugDescription)")
                }
            }
        },
        Case(name: "user(id:) answers the token's user") { f in
            _ = try await f.client.verify(token: f.validToken)
            let user = try await f.client.user(id: f.user.id)
            try check(user.id == f.user.id, "user(id:) answered \(user.id)")
            try check(Set(f.user.roles).isSubset(of: Set(user.roles)), "user roles \(user.roles), expected \(f.user.roles)")
        },
        Case(name: "user(id:) of an unknown id is USER_NOT_FOUND") { f in
            do {
                _ = try await f.client.user(id: "no-such-user-\(UUID().uuidString)")
                throw ConformanceFailure("an unknown user was found")
            } catch let error as ReactorError {
                try check(error.code == .userNotFound, "expected USER_NOT_FOUND, got \(error.debugDescription)")
            }
        },
    ]
}
