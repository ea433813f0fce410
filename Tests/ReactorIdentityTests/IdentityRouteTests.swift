import ReactorAuth
import Foundation
import ReactorCore
import ReactorIdentity
import ReactorMemory
import ReactorTesting
import Testing

/// Where the identity tables live in a test.
enum IdentityBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, sqlite, postgres

    var description: String { rawValue }

    func with(_ body: @Sendable (any IdentityStore) async throws -> Void) async throws {
        switch self {
        case .memory: try await body(InMemoryIdentityStore())
        case .sqlite: try await withSQLiteIdentityStore { try await body($0) }
        case .postgres: try await withPostgresIdentityStore { try await body($0) }
        }
    }
}

@Suite("/auth/v1 through a real server", .timeLimit(.minutes(5)))
struct IdentityRouteTests {
    /// Sign-up, a document call with the token, refresh, replay detection, logout: on every backend.
    @Test(arguments: IdentityBackend.allCases)
    func theFullTokenLifecycle(_ backend: IdentityBackend) async throws {
        try await backend.with { store in
            try await IdentityServer.with(store: store) { server in
                let grant = try await server.grant("alice@example.com")
                let access = try #require(grant["accessToken"]?.stringValue)
                let refresh = try #require(grant["refreshToken"]?.stringValue)
                #expect(grant["tokenType"] == "Bearer")
                #expect(grant["user"]?["roles"] == ["admin"])

                let me = try await server.call(.get, "/auth/v1/me", token: access)
                #expect(me.status == .ok)
                #expect(me.json["user"]?["email"] == "alice@example.com")
                #expect(try await server.call(.get, "/reactor/v1/documents", token: access).status == .ok)
                let anonymous = try await server.call(.get, "/reactor/v1/documents")
                #expect(anonymous.status == .unauthorized)

                let next = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(refresh)])
                #expect(next.status == .ok)
                let nextRefresh = try #require(next.json["refreshToken"]?.stringValue)
                #expect(nextRefresh != refresh)
                let nextAccess = try #require(next.json["accessToken"]?.stringValue)
                #expect(try await server.call(.get, "/auth/v1/me", token: nextAccess).status == .ok)

                let replay = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(refresh)])
                #expect(replay.status == .unauthorized)
                #expect(replay.errorCode == "REFRESH_TOKEN_REUSED")
                let revoked = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(nextRefresh)])
                #expect(revoked.errorCode == "REFRESH_TOKEN_INVALID")

                let again = try await server.grant("alice@example.com", login: true)
                let againRefresh = try #require(again["refreshToken"]?.stringValue)
                #expect(try await server.call(.post, "/auth/v1/logout", json: ["refreshToken": .string(againRefresh)]).status == .noContent)
                let afterLogout = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(againRefresh)])
                #expect(afterLogout.errorCode == "REFRESH_TOKEN_INVALID")
            }
        }
    }

    @Test func wrongPasswordAndUnknownUserAnswerTheSameAndLoginsAreRateLimited() async throws {
        try await IdentityServer.with({ $0.loginAttemptsPerAddress = 3 }) { server in
            _ = try await server.grant("alice@example.com")
            let wrong = try await server.call(.post, "/auth/v1/login", json: ["email": "alice@example.com", "password": "wrong password"])
            let unknown = try await server.call(.post, "/auth/v1/login", json: ["email": "nobody@example.com", "password": "wrong password"])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.text == unknown.text)
            #expect(wrong.errorCode == "INVALID_CREDENTIALS")
            _ = try await server.call(.post, "/auth/v1/login", json: ["email": "carol@example.com", "password": "wrong password"])
            let limited = try await server.call(.post, "/auth/v1/login", json: ["email": "alice@example.com", "password": "correct horse"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "TOO_MANY_LOGIN_ATTEMPTS")
            #expect(limited.headers[.retryAfter] != nil)
            #expect(limited.json["error"]?["details"]?["retryAfterSeconds"] != nil)
        }
    }

    @Test func forgedTokensAreRefusedWith401() async throws {
        try await IdentityServer.with({ $0.leeway = 0 }) { server in
            let grant = try await server.grant("alice@example.com")
            let id = try #require(grant["user"]?["id"]?.stringValue)
            let now = server.clock.now
            let tokens = [
                unsignedToken(subject: id, issuedAt: now),
                try await forgeWithServiceKey(server.vault, subject: id, ttl: 60, issuedAt: now.addingTimeInterval(-3600)),
                try await forgeWithServiceKey(server.vault, subject: id, notBefore: now.addingTimeInterval(3600), issuedAt: now),
                try await forgeWithServiceKey(server.vault, subject: id, audience: ["elsewhere"], issuedAt: now),
                try await forgeWithServiceKey(server.vault, subject: id, issuer: "https://evil.test", issuedAt: now),
                try await TokenIssuerForTests.otherKey(subject: id, now: now),
            ]
            for token in tokens {
                let reply = try await server.call(.get, "/auth/v1/me", token: token)
                #expect(reply.status == .unauthorized, "\(reply.text)")
                let document = try await server.call(.get, "/reactor/v1/documents", token: token)
                #expect(document.status == .unauthorized)
            }
        }
    }

    @Test func adminsManageUsersAndDisablingStopsKeysAtOnceAndRefreshes() async throws {
        try await IdentityServer.with { server in
            let admin = try #require(try await server.grant("root@example.com")["accessToken"]?.stringValue)
            let bob = try await server.grant("bob@example.com")
            let bobAccess = try #require(bob["accessToken"]?.stringValue)
            let bobID = try #require(bob["user"]?["id"]?.stringValue)
            // Not an admin: 403.
            #expect(try await server.call(.get, "/auth/v1/users", token: bobAccess).status == .forbidden)
            let users = try await server.call(.get, "/auth/v1/users", token: admin)
            #expect(users.json["users"]?.arrayValue?.count == 2)
            #expect(!users.text.contains("scrypt") && !users.text.lowercased().contains("password"))

            let created = try await server.call(.post, "/auth/v1/apikeys", json: ["name": "bob's bot"], token: bobAccess)
            #expect(created.status == .created)
            let key = try #require(created.json["key"]?.stringValue)
            #expect(try await server.call(.get, "/reactor/v1/documents", token: key).status == .ok)
            let listed = try await server.call(.get, "/auth/v1/apikeys", token: bobAccess)
            #expect(listed.json["apiKeys"]?.arrayValue?.count == 1)
            #expect(!listed.text.contains(key))

            let disabled = try await server.call(.patch, "/auth/v1/users/\(bobID)", json: ["disabled": true], token: admin)
            #expect(disabled.json["user"]?["disabled"] == true)
            let keyAfter = try await server.call(.get, "/reactor/v1/documents", token: key)
            #expect(keyAfter.status == .unauthorized && keyAfter.errorCode == "USER_DISABLED")
            let refresh = try #require(bob["refreshToken"]?.stringValue)
            #expect(try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(refresh)]).status == .unauthorized)
            #expect(try await server.call(.get, "/auth/v1/users/nope", token: admin).errorCode == "USER_NOT_FOUND")
        }
    }

    @Test func apiKeysAreRevocable() async throws {
        try await IdentityServer.with { server in
            let access = try #require(try await server.grant("root@example.com")["accessToken"]?.stringValue)
            let created = try await server.call(.post, "/auth/v1/apikeys", json: ["name": "ci", "roles": ["admin"]], token: access)
            let key = try #require(created.json["key"]?.stringValue)
            let id = try #require(created.json["apiKey"]?["id"]?.stringValue)
            #expect(try await server.call(.get, "/auth/v1/users", token: key).status == .ok)
            #expect(try await server.call(.delete, "/auth/v1/apikeys/\(id)", token: access).status == .noContent)
            let after = try await server.call(.get, "/reactor/v1/documents", token: key)
            #expect(after.status == .unauthorized && after.errorCode == "API_KEY_INVALID")
            #expect(try await server.call(.delete, "/auth/v1/apikeys/nope", token: access).errorCode == "API_KEY_NOT_FOUND")
        }
    }

    @Test func badBodiesAreTyped400s() async throws {
        try await IdentityServer.with { server in
            let missing = try await server.call(.post, "/auth/v1/signup", json: ["email": "a@example.com"])
            #expect(missing.status == .badRequest)
            let short = try await server.call(.post, "/auth/v1/signup", json: ["email": "a@example.com", "password": "x"])
            #expect(short.status == .badRequest && short.errorCode == "INVALID_INPUT")
            _ = try await server.grant("a@example.com")
            let taken = try await server.call(.post, "/auth/v1/signup", json: ["email": "A@example.com", "password": "long enough"])
            #expect(taken.status == .conflict && taken.errorCode == "EMAIL_TAKEN")
        }
    }

    /// No secret (password, refresh token, access token, API key, hash) in any log line of the server at trace level,
    /// nor in any answer after the one that created it.
    @Test func noSecretReachesALogLineOrALaterAnswer() async throws {
        let logs = CapturedLogs()
        let store = InMemoryIdentityStore()
        try await IdentityServer.with(store: store, logs: logs) { server in
            let password = "correct horse"
            let grant = try await server.grant("alice@example.com", password: password)
            let access = try #require(grant["accessToken"]?.stringValue)
            let refresh = try #require(grant["refreshToken"]?.stringValue)
            _ = try await server.call(.post, "/auth/v1/login", json: ["email": "alice@example.com", "password": "wrong password"])
            let next = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(refresh)])
            _ = try await server.call(.post, "/auth/v1/refresh", json: ["refreshToken": .string(refresh)])
            let key = try #require(try await server.call(.post, "/auth/v1/apikeys", json: ["name": "k"], token: access).json["key"]?.stringValue)
            _ = try await server.call(.get, "/reactor/v1/documents", token: key)
            _ = try await server.call(.get, "/reactor/v1/documents", token: key + "x")
            let hash = try #require(try await store.users().first?.passwordHash)
            var later = ""
            for uri in ["/auth/v1/me", "/auth/v1/users", "/auth/v1/apikeys"] {
                later += try await server.call(.get, uri, token: access).text
            }
            let secrets = [password, "wrong password", access, refresh, key, hash, next.json["refreshToken"]?.stringValue ?? "?"]
            #expect(!logs.all.isEmpty)
            for secret in secrets {
                #expect(!logs.all.contains { $0.contains(secret) }, "a log line holds a secret")
                #expect(!later.contains(secret), "a later answer holds a secret")
            }
        }
    }

    @Test func publishedKeysAndDiscovery() async throws {
        try await IdentityServer.with { server in
            let jwks = try await server.call(.get, "/auth/v1/.well-known/jwks.json")
            #expect(jwks.status == .ok)
            let key = try #require(jwks.json["keys"]?.arrayValue?.first)
            #expect(key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256")
            #expect(key["d"] == nil)
            let discovery = try await server.call(.get, "/auth/v1/.well-known/openid-configuration")
            #expect(discovery.json["issuer"] == "https://id.test")
            #expect(discovery.json["jwks_uri"] == "https://id.test/auth/v1/.well-known/jwks.json")
        }
    }

    @Test func changingThePasswordOverHTTP() async throws {
        try await IdentityServer.with { server in
            let grant = try await server.grant("a@example.com")
            let access = try #require(grant["accessToken"]?.stringValue)
            let wrong = try await server.call(.post, "/auth/v1/me/password", json: ["currentPassword": "nope nope", "newPassword": "new password"], token: access)
            #expect(wrong.errorCode == "INVALID_CREDENTIALS")
            let changed = try await server.call(.post, "/auth/v1/me/password", json: ["currentPassword": "correct horse", "newPassword": "new password"], token: access)
            #expect(changed.status == .noContent)
            _ = try await server.grant("a@example.com", password: "new password", login: true)
        }
    }
}


/// Tokens signed by a key the service never had.
enum TokenIssuerForTests {
    static func otherKey(subject: String, now: Date) async throws -> String {
        let ring = SigningKeyRing.generate(now: now)
        return try await TokenIssuer(privateKeyPEM: ring.current.privateKeyPEM, keyID: ring.current.kid)
            .issue(subject: subject, issuer: "https://id.test", audience: ["reactor-test"], issuedAt: now)
    }
}
