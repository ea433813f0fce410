import Foundation
import ReactorCore
import Testing

/// Identity (issue 14): `reactor user`, `reactor apikey` and `reactor auth rotate-keys` on a data directory.
@Suite(.timeLimit(.minutes(5))) struct IdentityCommandTests {
    @Test func usersKeysAndRotationFromTheCommandLine() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data").path
        let passwordFile = dir.appendingPathComponent("password")
        try Data("a long password\n".utf8).write(to: passwordFile)
        let env = ["REACTOR_AUTH__SCRYPT_LOG_N": "4"]
        func run(_ arguments: [String]) async throws -> JSONValue {
            let result = try await runCLIWithEnvironment(arguments + ["--data-dir", data, "--json"], env)
            #expect(result.status == 0, "\(arguments): \(result.err)")
            return (try? JSONValueCoder.parse(result.out)) ?? .null
        }

        let created = try await run(["user", "create", "Root@Example.com", "--admin", "--password-file", passwordFile.path])
        #expect(created["email"] == "root@example.com")
        #expect(created["roles"] == ["admin"])
        #expect(!created.canonicalString.contains("a long password"))
        let roles = try await run(["user", "roles", "root@example.com", "admin", "ops"])
        #expect(roles["roles"] == ["admin", "ops"])
        let key = try await run(["apikey", "create", "root@example.com", "--name", "ci", "--role", "ops"])
        let keyText = try #require(key["key"]?.stringValue)
        #expect(keyText.hasPrefix("rk_"))
        let listed = try await run(["apikey", "ls"])
        #expect(listed["apiKeys"]?.arrayValue?.count == 1)
        #expect(!listed.canonicalString.contains(keyText))
        let id = try #require(key["apiKey"]?["id"]?.stringValue)
        _ = try await run(["apikey", "revoke", id])
        #expect(try await run(["apikey", "ls"])["apiKeys"]?.arrayValue?.first?["revokedAt"] != nil)
        let disabled = try await run(["user", "disable", "root@example.com"])
        #expect(disabled["disabled"] == true)
        let users = try await run(["user", "ls"])
        #expect(users["users"]?.arrayValue?.count == 1)
        let first = try await run(["auth", "rotate-keys"])
        let second = try await run(["auth", "rotate-keys"])
        #expect(first["signingKey"] != second["signingKey"])
        #expect(second["published"]?.arrayValue?.count == 3)

        // A bad email is a typed error with the invalid-input exit code.
        let bad = try await runCLIWithEnvironment(
            ["user", "create", "not-an-email", "--password-file", passwordFile.path, "--data-dir", data, "--json"], env)
        #expect(bad.status == 4)
        #expect(try JSONValueCoder.parse(bad.err)["error"]?["code"] == "INVALID_INPUT")
    }
}
