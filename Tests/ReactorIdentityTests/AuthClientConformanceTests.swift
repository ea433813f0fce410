import AsyncHTTPClient
import Foundation
import ReactorAuth
import ReactorCore
import ReactorIdentity
import ReactorTesting
import Testing

/// One conformance suite, four adapters: the in-process client, the external-JWT verifier (fed by the service's
/// published JWKS URL), the remote client (asking a real server) and the mock.
@Suite("AuthClient conformance", .timeLimit(.minutes(5)))
struct AuthClientConformanceTests {
    @Test(arguments: AuthClientConformance.cases)
    func inProcess(_ c: AuthClientConformance.Case) async throws {
        try await IdentityServer.with { server in
            try await c.run(try await Self.fixture(server, client: InProcessAuthClient(service: server.service)))
        }
    }

    @Test(arguments: AuthClientConformance.cases)
    func externalJWT(_ c: AuthClientConformance.Case) async throws {
        try await IdentityServer.with { server in
            let client = try await JWTAuthClient(
                configuration: JWTAuthConfiguration(
                    jwksURL: server.baseURL + "/auth/v1/.well-known/jwks.json", issuer: "https://id.test",
                    audience: "reactor-test", leeway: 0))
            try await c.run(try await Self.fixture(server, client: client))
        }
    }

    @Test(arguments: AuthClientConformance.cases)
    func remote(_ c: AuthClientConformance.Case) async throws {
        try await IdentityServer.with { server in
            let admin = try await server.grant("root@example.com")
            let adminID = try #require(admin["user"]?["id"]?.stringValue)
            let key = try await server.service.createAPIKey(userID: adminID, name: "peer", roles: ["admin"])
            let client = try RemoteAuthClient(baseURL: server.baseURL, serviceToken: key.key)
            try await c.run(try await Self.fixture(server, client: client))
        }
    }

    @Test(arguments: AuthClientConformance.cases)
    func mock(_ c: AuthClientConformance.Case) async throws {
        let client = MockAuthClient()
        let user = AuthUser(id: "u-1", email: "a@example.com", roles: ["ops"])
        client.register(token: "good", for: user)
        try await c.run(AuthClientConformance.Fixture(client: client, validToken: "good", user: user, invalidTokens: ["bad"]))
    }

    /// A signed-up user (with a role) on `server`, its token, and tokens that must be refused.
    static func fixture(_ server: IdentityServer, client: any AuthClient) async throws -> AuthClientConformance.Fixture {
        let grant = try await server.service.signUp(email: "user-\(UUID().uuidString.prefix(8))@example.com", password: "correct horse")
        let now = server.clock.now
        let invalid = [
            unsignedToken(subject: grant.user.id, issuedAt: now),
            try await TokenIssuerForTests.otherKey(subject: grant.user.id, now: now),
            try await forgeWithServiceKey(server.vault, subject: grant.user.id, ttl: 60, issuedAt: now.addingTimeInterval(-3600)),
            try await forgeWithServiceKey(server.vault, subject: grant.user.id, audience: ["elsewhere"], issuedAt: now),
        ]
        return AuthClientConformance.Fixture(
            client: client, validToken: grant.accessToken, user: grant.user, invalidTokens: invalid)
    }
}

/// The JWKS and tokens checked by PyJWT (PyPI), an implementation that is not ours: runs when
/// `REACTOR_ORACLE_PYTHON` names a Python with `pyjwt` and `cryptography` (`.ci/run` builds one).
@Suite("JWKS oracle", .timeLimit(.minutes(3)))
struct JWKSOracleTests {
    @Test(.enabled(if: OracleProcess.python != nil))
    func pyjwtVerifiesOurTokensWithOurPublishedKeys() async throws {
        let python = try #require(OracleProcess.python)
        try await IdentityServer.with { server in
            let before = try await server.grant("alice@example.com")
            _ = try await server.service.rotateKeys()
            let after = try await server.grant("alice@example.com", login: true)
            let jwks = try await server.call(.get, "/auth/v1/.well-known/jwks.json").json
            let id = try #require(before["user"]?["id"])
            let now = server.clock.now
            let invalid: [JSONValue] = [
                .string(unsignedToken(subject: "x", issuedAt: now)),
                .string(try await TokenIssuerForTests.otherKey(subject: "x", now: now)),
                .string(try await forgeWithServiceKey(server.vault, subject: "x", audience: ["elsewhere"], issuedAt: now)),
                .string(try await forgeWithServiceKey(server.vault, subject: "x", ttl: 60, issuedAt: now.addingTimeInterval(-3600))),
            ]
            let testCase: JSONValue = [
                "jwks": jwks, "issuer": "https://id.test", "audience": "reactor-test",
                "valid": [["token": before["accessToken"] ?? .null, "sub": id], ["token": after["accessToken"] ?? .null, "sub": id]],
                "invalid": .array(invalid),
            ]
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-case-\(UUID().uuidString).json")
            try Data(testCase.canonicalString.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let (status, output) = try await OracleProcess.run(python, [OracleProcess.script("jwt_verify.py"), file.path])
            #expect(status == 0, "\(output)")
            #expect(output.contains("ok"))
        }
    }
}
