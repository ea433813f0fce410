import Foundation
import ReactorCore
import Testing

/// Identity (issue 14) end to end with the shipped binary: `reactor serve` with `auth.service` on (users in the
/// SQLite file, signing keys in the file vault), the README's sign-up and login, a second server trusting the first
/// through its published JWKS, and a key rotation across a restart.
@Suite(.serialized, .timeLimit(.minutes(10))) struct IdentityServerProcessTests {
    @Test(.timeLimit(.minutes(5)))
    func signUpLogInAndVerificationByAnotherServer() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataDir = dir.appendingPathComponent("data").path
        let env = ["REACTOR_AUTH__SERVICE": "true", "REACTOR_AUTH__SCRYPT_LOG_N": "4", "REACTOR_AUTH__AUDIENCE": "reactor-e2e"]
        var server = try await ServerProcess(arguments: ["--data-dir", dataDir], environment: env, directory: dir)
        let credentials: JSONValue = ["email": "alice@example.com", "password": "correct horse battery"]
        let signUp = try await http(.POST, "\(server.base)/auth/v1/signup", credentials)
        #expect(signUp.status == 201)
        #expect(signUp.json["user"]?["roles"] == ["admin"])
        let login = try await http(.POST, "\(server.base)/auth/v1/login", credentials)
        let token = try #require(login.json["accessToken"]?.stringValue)
        #expect(try await http(.GET, "\(server.base)/reactor/v1/documents").status == 401)
        #expect(try await http(.GET, "\(server.base)/reactor/v1/documents", token: token).status == 200)
        // An admin of the identity service opens /_admin.
        #expect(try await http(.GET, "\(server.base)/_admin/version", token: token).status == 200)

        // A second server trusts the first's tokens through the published JWKS (JWTAuthClient with jwks_url).
        let otherDir = dir.appendingPathComponent("other").path
        let verifier = try await ServerProcess(
            arguments: ["--data-dir", otherDir],
            environment: [
                "REACTOR_AUTH__ENABLED": "true", "REACTOR_AUTH__JWKS_URL": "\(server.base)/auth/v1/.well-known/jwks.json",
                "REACTOR_AUTH__ISSUER": "reactor", "REACTOR_AUTH__AUDIENCE": "reactor-e2e",
            ], directory: dir)
        #expect(try await http(.GET, "\(verifier.base)/reactor/v1/documents", token: token).status == 200)
        #expect(try await http(.GET, "\(verifier.base)/reactor/v1/documents", token: token + "x").status == 401)
        _ = try await verifier.terminate()

        // Rotate the signing key (the CLI, on the vault), restart: old tokens still verify, new ones use the new key.
        _ = try await server.terminate()
        let rotated = try await runCLIWithEnvironment(["auth", "rotate-keys", "--data-dir", dataDir, "--json"], env)
        #expect(rotated.status == 0, "\(rotated.err)")
        let newKid = try JSONValueCoder.parse(rotated.out)["signingKey"]?.stringValue
        server = try await ServerProcess(arguments: ["--data-dir", dataDir], environment: env, directory: dir)
        #expect(try await http(.GET, "\(server.base)/reactor/v1/documents", token: token).status == 200)
        let again = try await http(.POST, "\(server.base)/auth/v1/login", credentials)
        let fresh = try #require(again.json["accessToken"]?.stringValue)
        let headerPart = try #require(fresh.split(separator: ".").first)
        let headerBytes = try #require(Base64URL.decode(headerPart))
        let header = try JSONValueCoder.parse(headerBytes)
        #expect(header["kid"]?.stringValue == newKid)
        let keys = try await http(.GET, "\(server.base)/auth/v1/.well-known/jwks.json").json["keys"]?.arrayValue
        #expect(keys?.count == 2)
        _ = try await server.terminate()
    }
}
