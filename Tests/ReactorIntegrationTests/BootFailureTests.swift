import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// `reactor serve` refusing to start: each failure exits with its code and a message naming what to fix.
@Suite(.timeLimit(.minutes(10))) struct BootFailureTests {
    @Test func dataDirectoryThatCannotBeCreated() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A regular file where a directory should be: not creatable, even for root.
        let file = dir.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let result = try await runCLI(["serve", "--bind", "127.0.0.1:0", "--data-dir", file.appendingPathComponent("data").path, "--json"])
        #expect(result.status == 78, "stderr: \(result.err)")
        let error = try JSONValueCoder.parse(result.err)["error"]
        #expect(error?["code"]?.stringValue == "CONFIG_INVALID")
        #expect(error?["message"]?.stringValue?.contains("server.data_dir") == true, "stderr: \(result.err)")
    }

    @Test func jwksFileThatIsMissingOrNotAKeySet() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("Reactor.toml")
        let jwks = dir.appendingPathComponent("jwks.json")
        try "[auth]\nenabled = true\njwks_file = \"\(jwks.path)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--config", config.path, "--bind", "127.0.0.1:0", "--data-dir", dir.appendingPathComponent("data").path]

        let missing = try await runCLI(arguments)
        #expect(missing.status == 78, "stderr: \(missing.err)")
        #expect(missing.err.contains("auth.jwks_file") && missing.err.contains("jwks.json"), "stderr: \(missing.err)")

        try #"{"not": "a key set"}"#.write(to: jwks, atomically: true, encoding: .utf8)
        let garbage = try await runCLI(arguments)
        #expect(garbage.status == 78, "stderr: \(garbage.err)")
        #expect(garbage.err.contains("auth.jwks_file") && garbage.err.contains("JSON Web Key Set"), "stderr: \(garbage.err)")
    }

    @Test(.timeLimit(.minutes(3)))
    func addressAlreadyInUse() async throws {
        let first = try await ServerProcess()
        defer { try? FileManager.default.removeItem(at: first.directory) }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let second = try await runCLI(["serve", "--bind", "127.0.0.1:\(first.port)", "--data-dir", dir.path, "--json"])
        #expect(second.status == 69, "stderr: \(second.err)")
        let error = try JSONValueCoder.parse(second.err)["error"]
        #expect(error?["code"]?.stringValue == "ADDRESS_UNAVAILABLE", "stderr: \(second.err)")
        #expect(error?["message"]?.stringValue?.contains("server.bind") == true)
        #expect(error?["message"]?.stringValue?.contains("another process") == true)
        #expect(try await first.terminate() == 0)
    }

    /// `store.migrate = "manual"`: an unmigrated store stops the boot (doctor says so too); after `reactor migrate`
    /// (which says what it applied) the server starts, and `/_admin/migrate` has nothing left to apply.
    @Test(.timeLimit(.minutes(3)))
    func manualMigrationsMustRunBeforeTheServerStarts() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data").path
        let manual = ["REACTOR_STORE__MIGRATE": "manual"]

        let refused = try await runCLIWithEnvironment(["serve", "--bind", "127.0.0.1:0", "--data-dir", data, "--json"], manual)
        #expect(refused.status == 78, "stderr: \(refused.err)")
        let error = try JSONValueCoder.parse(refused.err)["error"]
        #expect(error?["code"]?.stringValue == "SCHEMA_NOT_MIGRATED")
        #expect(error?["message"]?.stringValue?.contains("reactor migrate") == true)

        let doctor = try await runCLIWithEnvironment(["doctor", "--data-dir", data, "--json"], manual)
        #expect(doctor.status != 0)
        let store = try JSONValueCoder.parse(doctor.out)["checks"]?.arrayValue?.first { $0["name"]?.stringValue == "store" }
        #expect(store?["ok"] == false)
        #expect(store?["detail"]?.stringValue?.contains("reactor migrate") == true, "\(doctor.out)")

        let migrated = try await runCLI(["migrate", "--data-dir", data, "--json"])
        #expect(migrated.status == 0, "stderr: \(migrated.err)")
        #expect(try JSONValueCoder.parse(migrated.out)["applied"]?.arrayValue?.isEmpty == false, "\(migrated.out)")
        let again = try await runCLI(["migrate", "--data-dir", data, "--json"])
        #expect(try JSONValueCoder.parse(again.out)["applied"] == [], "\(again.out)")

        let server = try await ServerProcess(arguments: ["--data-dir", data], environment: manual)
        let admin = try await http(.POST, "\(server.base)/_admin/migrate", token: try server.adminToken())
        #expect(admin.status == 200)
        #expect(admin.json["migrated"] == true)
        #expect(admin.json["applied"] == [])
        #expect(try await server.terminate() == 0)
    }

    #if !Postgres
    /// A binary built without the `Postgres` trait (`swift build --disable-default-traits`) refuses a PostgreSQL
    /// configuration, naming the trait.
    @Test func postgresConfigurationNamesTheMissingTrait() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await runCLIWithEnvironment(
            ["serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path, "--json"],
            ["REACTOR_STORE__BACKEND": "postgres", "REACTOR_STORE__URL": "postgres://nobody@127.0.0.1:1/none"])
        #expect(result.status == 78, "stderr: \(result.err)")
        #expect(result.err.contains("needs the Postgres package trait"), "stderr: \(result.err)")
    }
    #endif

    #if OpenBao
    /// `[vault] backend = "openbao"` with no server there: the first `vault:` reference stops the boot with
    /// VAULT_UNAVAILABLE naming the backend, after the configured timeout at most (never a hang).
    @Test func unreachableOpenBaoVaultStopsTheBoot() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = LoopbackPort.closed
        let result = try await runCLIWithEnvironment(
            ["serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path, "--json"],
            ["REACTOR_VAULT__BACKEND": "openbao", "REACTOR_VAULT__ADDRESS": "http://127.0.0.1:\(port)",
             "REACTOR_VAULT__TOKEN": "env:TEST_BAO_TOKEN", "TEST_BAO_TOKEN": "s.token", "REACTOR_VAULT__TIMEOUT_SECONDS": "2",
             "REACTOR_AUTH__ENABLED": "true", "REACTOR_AUTH__HMAC_SECRET": "vault:auth/hmac"])
        #expect(result.status == 69, "stderr: \(result.err)")
        let error = try JSONValueCoder.parse(result.err)["error"]
        #expect(error?["code"]?.stringValue == "VAULT_UNAVAILABLE", "stderr: \(result.err)")
        #expect(error?["message"]?.stringValue?.contains("auth.hmac_secret") == true, "stderr: \(result.err)")
        #expect(error?["message"]?.stringValue?.contains("OpenBao") == true, "stderr: \(result.err)")
    }
    #else
    /// A binary built without the `OpenBao` trait refuses `vault.backend = "openbao"`, naming the trait.
    @Test func openBaoConfigurationNamesTheMissingTrait() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await runCLIWithEnvironment(
            ["serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path, "--json"],
            ["REACTOR_VAULT__BACKEND": "openbao", "REACTOR_VAULT__ADDRESS": "http://127.0.0.1:1", "REACTOR_VAULT__TOKEN": "t"])
        #expect(result.status == 78, "stderr: \(result.err)")
        #expect(result.err.contains("needs the OpenBao package trait"), "stderr: \(result.err)")
    }
    #endif
}
