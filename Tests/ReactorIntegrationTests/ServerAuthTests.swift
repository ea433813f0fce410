import Foundation
import ReactorCore
import Testing

/// `[auth]` end to end: the HMAC secret lives in the vault, `reactor token issue` mints tokens, `reactor serve`
/// requires them, and a second server verifies through the first with the remote adapter.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ServerAuthTests {
    @Test(.timeLimit(.minutes(3)))
    func tokensFromTheCLIOpenTheAPI() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataDir = dir.appendingPathComponent("data").path
        let secret = String(repeating: "k", count: 40)
        #expect(try await runCLI(["vault", "put", "--data-dir", dataDir, "auth/hmac", secret]).status == 0)
        let env = ["REACTOR_AUTH__ENABLED": "true", "REACTOR_AUTH__HMAC_SECRET": "vault:auth/hmac", "REACTOR_AUTH__AUDIENCE": "reactor-tests"]

        let issued = try await runCLIWithEnvironment(["token", "issue", "--data-dir", dataDir, "--subject", "alice", "--role", "admin"], env)
        #expect(issued.status == 0, "\(issued.err)")
        let token = issued.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let otherAudience = try await runCLIWithEnvironment(["token", "issue", "--data-dir", dataDir, "--subject", "eve", "--audience", "elsewhere"], env)
            .out.trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try await ServerProcess(arguments: ["--data-dir", dataDir], environment: env, directory: dir)
        let none = try await http(.GET, "\(server.base)/reactor/v1/documents")
        #expect(none.status == 401)
        #expect(none.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED")
        let ok = try await http(.GET, "\(server.base)/reactor/v1/documents", token: token)
        #expect(ok.status == 200)
        let me = try await http(.GET, "\(server.base)/reactor/v1/auth/me", token: token)
        #expect(me.json["claims"]?["sub"]?.stringValue == "alice")
        #expect(me.json["claims"]?["roles"] == ["admin"])
        let wrongAudience = try await http(.GET, "\(server.base)/reactor/v1/documents", token: otherAudience)
        #expect(wrongAudience.json["error"]?["code"]?.stringValue == "TOKEN_AUDIENCE_INVALID")
        var tampered = Array(token)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        let forged = try await http(.GET, "\(server.base)/reactor/v1/documents", token: String(tampered))
        #expect(forged.status == 401)
        #expect(forged.json["error"]?["code"]?.stringValue == "TOKEN_SIGNATURE_INVALID")
        let malformed = try await http(.GET, "\(server.base)/reactor/v1/documents", token: "not-a-token")
        #expect(malformed.json["error"]?["code"]?.stringValue == "TOKEN_MALFORMED")
        let admin = try await http(.GET, "\(server.base)/_admin/doctor", token: token)
        #expect(admin.status == 200, "\(admin.json)")
        // With [auth] on, the local admin token still opens /_admin from this machine; a token without the role does not.
        #expect(try await http(.GET, "\(server.base)/_admin/version", token: try server.adminToken()).status == 200)
        #expect(try await http(.GET, "\(server.base)/_admin/version", token: otherAudience).status == 401)
        #expect(try await http(.GET, "\(server.base)/_admin/version").status == 401)

        // A second server that asks the first one.
        let remote = try await ServerProcess(environment: ["REACTOR_AUTH__ENABLED": "true", "REACTOR_AUTH__REMOTE_URL": server.base])
        defer { try? FileManager.default.removeItem(at: remote.directory) }
        #expect(try await http(.GET, "\(remote.base)/reactor/v1/documents", token: token).status == 200)
        let remoteForged = try await http(.GET, "\(remote.base)/reactor/v1/documents", token: String(tampered))
        #expect(remoteForged.json["error"]?["code"]?.stringValue == "TOKEN_SIGNATURE_INVALID")

        #expect(try await remote.terminate() == 0)
        #expect(try await server.terminate() == 0)
    }
}
