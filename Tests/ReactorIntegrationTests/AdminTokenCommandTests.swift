import Foundation
import ReactorCore
import Testing

/// The local admin token end to end: `reactor serve` writes it to the data directory at first start (mode 0600),
/// `reactor token admin` prints it from the same data directory, it opens `/_admin` and survives a restart; the admin
/// commands that work on the data directory (`doctor`, `vault`) keep working beside the running server.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AdminTokenCommandTests {
    @Test func theCLIReadsTheTokenTheServerWrote() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataDir = dir.appendingPathComponent("data").path
        let server = try await ServerProcess(arguments: ["--data-dir", dataDir], directory: dir)

        let file = dataDir + "/admin.token"
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "admin.token has mode \(String(mode, radix: 8))")
        let written = try server.adminToken()
        #expect(written.count == 43, "32 random bytes as base64url")
        #expect(!server.standardOutput.contains(written) && !server.standardError.contains(written), "the token is never printed by serve")

        let printed = try await runCLI(["token", "admin", "--data-dir", dataDir])
        #expect(printed.status == 0, "\(printed.err)")
        let token = printed.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token == written)
        let json = try await runCLI(["token", "admin", "--data-dir", dataDir, "--json"])
        #expect(try JSONValueCoder.parse(json.out)["token"]?.stringValue == written)

        #expect(try await http(.GET, "\(server.base)/_admin/version").status == 401)
        #expect(try await http(.GET, "\(server.base)/_admin/version", token: token).status == 200)

        // The data-directory commands beside the running server; the server sees what they wrote.
        #expect(try await runCLI(["vault", "put", "--data-dir", dataDir, "db/password", "hunter22"]).status == 0)
        let secret = try await http(.GET, "\(server.base)/_admin/vault/db/password", token: token)
        #expect(secret.json["value"]?.stringValue == "hunter22")
        let doctor = try await runCLI(["doctor", "--data-dir", dataDir, "--json"])
        #expect(doctor.status == 0, "\(doctor.out) \(doctor.err)")
        #expect(try await http(.GET, "\(server.base)/_admin/doctor", token: token).status == 200)
        #expect(try await server.terminate() == 0)

        // A restart keeps the token.
        let again = try await ServerProcess(arguments: ["--data-dir", dataDir], directory: dir)
        #expect(try again.adminToken() == written)
        #expect(try await http(.POST, "\(again.base)/_admin/migrate", token: token).status == 200)
        #expect(try await again.terminate() == 0)

        // Disabled, the CLI says so (and the server answers 401 to the old token).
        let disabled = ["REACTOR_SERVER__ADMIN_TOKEN_FILE": "none"]
        let refused = try await runCLIWithEnvironment(["token", "admin", "--data-dir", dataDir, "--json"], disabled)
        #expect(refused.status != 0)
        #expect(try JSONValueCoder.parse(refused.err)["error"]?["code"]?.stringValue == "UNSUPPORTED", "\(refused.err)")
        let closed = try await ServerProcess(arguments: ["--data-dir", dataDir], environment: disabled, directory: dir)
        #expect(try await http(.GET, "\(closed.base)/_admin/version", token: token).status == 401)
        #expect(try await closed.terminate() == 0)
    }

    /// A token file other users may read is refused at boot (exit 78, naming the key and the fix), never used.
    @Test func aTokenFileOthersCanReadStopsTheBoot() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("admin.token").path
        try Data("\(String(repeating: "A", count: 43))\n".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let result = try await runCLIWithEnvironment(["serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path, "--json"], [:])
        #expect(result.status == 78, "\(result.err)")
        let message = try JSONValueCoder.parse(result.err)["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("chmod 600"), "\(result.err)")
        #expect(!message.contains(String(repeating: "A", count: 43)))
    }
}
