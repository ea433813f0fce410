import Foundation
import ReactorCore
import Testing

/// `reactor init | doctor | migrate | vault` against a temporary directory.
@Suite(.timeLimit(.minutes(10))) struct AdminCommandTests {
    @Test func initDoctorMigrateAndVault() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("Reactor.toml").path
        let dataDir = dir.appendingPathComponent("data").path

        let initialized = try await runCLI(["init", "--path", config])
        #expect(initialized.status == 0, "\(initialized.err)")
        #expect(FileManager.default.fileExists(atPath: config))
        let again = try await runCLI(["init", "--path", config])
        #expect(again.status == 4)
        #expect(again.err.contains("--force"))

        let migrated = try await runCLI(["migrate", "--config", config, "--data-dir", dataDir])
        #expect(migrated.status == 0, "\(migrated.err)")
        #expect(migrated.err.contains("[3/3] migrating"))

        let doctor = try await runCLI(["doctor", "--config", config, "--data-dir", dataDir, "--json"])
        #expect(doctor.status == 0, "\(doctor.out) \(doctor.err)")
        let report = try JSONValueCoder.parse(doctor.out)
        #expect(report["ok"] == true)
        #expect(report["checks"]?.arrayValue?.contains { $0["name"]?.stringValue == "store" } == true)

        let common = ["--config", config, "--data-dir", dataDir]
        #expect(try await runCLI(["vault", "put"] + common + ["db/password", "hunter22"]).status == 0)
        let got = try await runCLI(["vault", "get"] + common + ["db/password"])
        #expect(got.out == "hunter22\n")
        let listed = try await runCLI(["vault", "ls"] + common + ["--json"])
        #expect(try JSONValueCoder.parse(listed.out)["paths"] == ["db/password"])
        #expect(try await runCLI(["vault", "rm"] + common + ["db/password"]).status == 0)
        let gone = try await runCLI(["vault", "get"] + common + ["db/password", "--json"])
        #expect(gone.status == 3)
        #expect(try JSONValueCoder.parse(gone.err)["error"]?["code"]?.stringValue == "SECRET_NOT_FOUND")

        // The generated key file makes the vault reopen; a wrong key is refused with exit 78.
        #expect(FileManager.default.fileExists(atPath: dataDir + "/vault.key"))
        #expect(try await runCLI(["vault", "put"] + common + ["x", "y"]).status == 0)
        let wrongKey = try await runCLIWithEnvironment(["vault", "ls"] + common, ["REACTOR_VAULT__KEY": String(repeating: "ab", count: 32)])
        #expect(wrongKey.status == 78, "\(wrongKey.err)")
        #expect(wrongKey.err.contains("VAULT_KEY_INVALID"))
    }
}

/// The generators (`vault keygen`, `token secret`, `token keypair`) print something the other commands take, as text
/// or `--json`.
@Suite(.timeLimit(.minutes(10))) struct KeyGeneratorCommandTests {
    @Test func vaultKeyAndHMACSecret() async throws {
        let text = try await runCLI(["vault", "keygen"])
        #expect(text.status == 0)
        #expect(text.out.trimmingCharacters(in: .newlines).count == 64)
        let json = try await runCLI(["vault", "keygen", "--json"])
        let key = try #require(try JSONValueCoder.parse(json.out)["key"]?.stringValue)
        #expect(key.count == 64 && key.allSatisfy(\.isHexDigit))

        let secret = try await runCLI(["token", "secret", "--json"])
        #expect(secret.status == 0)
        let value = try #require(try JSONValueCoder.parse(secret.out)["secret"]?.stringValue)
        #expect(value.count >= 43, "32 bytes in base64url")
    }

    /// A key pair from `token keypair --json` signs with `token issue --private-key-file` and verifies with
    /// `[auth] public_keys`; a bad algorithm is exit 4 with a JSON error.
    @Test func keyPairSignsAndVerifies() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let generated = try await runCLI(["token", "key-pair", "--algorithm", "ES256", "--json"])
        #expect(generated.status == 0, "\(generated.err)")
        let pair = try JSONValueCoder.parse(generated.out)
        #expect(pair["algorithm"]?.stringValue == "ES256")
        let privateKey = try #require(pair["privateKey"]?.stringValue)
        let publicKey = try #require(pair["publicKey"]?.stringValue)
        #expect(privateKey.contains("PRIVATE KEY") && publicKey.contains("PUBLIC KEY"))

        let keyFile = dir.appendingPathComponent("signing.pem")
        try privateKey.write(to: keyFile, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("Reactor.toml")
        try "[auth]\nenabled = true\npublic_keys = ['''\n\(publicKey)''']\n".write(to: config, atomically: true, encoding: .utf8)
        let common = ["--config", config.path, "--data-dir", dir.appendingPathComponent("data").path]
        let issued = try await runCLI(["token", "issue"] + common + ["--subject", "carol", "--private-key-file", keyFile.path, "--json"])
        #expect(issued.status == 0, "\(issued.err)")
        let token = try #require(try JSONValueCoder.parse(issued.out)["token"]?.stringValue)
        let verified = try await runCLI(["token", "verify"] + common + [token, "--json"])
        #expect(verified.status == 0, "\(verified.err)")
        #expect(try JSONValueCoder.parse(verified.out)["sub"]?.stringValue == "carol", "\(verified.out)")

        let bad = try await runCLI(["token", "keypair", "--algorithm", "HS256", "--json"])
        #expect(bad.status == 4)
        #expect(try JSONValueCoder.parse(bad.err)["error"]?["code"]?.stringValue == "INVALID_ARGUMENT")
    }
}

/// `reactor doc import`: a bulk load with a progress display; a bad line fails alone.
@Suite(.timeLimit(.minutes(10))) struct ImportCommandTests {
    @Test func importsJSONLinesWithProgress() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<50 {
            text += #"{"documentType":"reactor/todo-list","id":"doc-\#(i)","actions":[{"type":"ADD_TODO","input":{"id":"1","text":"x"}}]}"# + "\n"
        }
        text += #"{"documentType":"nope/type","id":"bad"}"# + "\n"
        let file = dir.appendingPathComponent("in.jsonl")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("db.sqlite").path
        let result = try await runCLI(["doc", "import", "--db", db, file.path])
        #expect(result.status == 4)
        #expect(result.out.contains("imported 50 of 51 documents"))
        #expect(result.out.contains("line 51: UNKNOWN_DOCUMENT_TYPE"))
        #expect(result.err.contains("51/51 documents (100 %"))
        let got = try await runCLI(["doc", "get", "--db", db, "doc-49", "--json"])
        #expect(got.status == 0)
        #expect(got.out.contains("\"text\" : \"x\""))
    }
}
