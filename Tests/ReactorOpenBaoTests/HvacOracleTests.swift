import Foundation
import ReactorCore
import ReactorOpenBao
import ReactorTesting
import Testing

/// The KV v2 test server's wire format, checked by someone else's client: the Python `hvac` library (PyPI) writes,
/// reads, lists and deletes through it, and reads what `OpenBaoVault` wrote (and `OpenBaoVault` what hvac wrote).
///
/// Runs when `REACTOR_ORACLE_PYTHON` names a Python with `hvac` (`.ci/run` sets it up); skipped otherwise.
@Suite("OpenBao test server against hvac", .timeLimit(.minutes(2)), .enabled(if: HvacOracle.python != nil, "REACTOR_ORACLE_PYTHON is not set"))
struct HvacOracleTests {
    @Test func hvacAgreesWithTheTestServer() async throws {
        let python = try #require(HvacOracle.python)
        let server = KV2TestServer(token: "s.hvac-token", namespace: "team-a", mount: "kv")
        try await withRunning(server) { url in
            let vault = try OpenBaoVault(configuration: OpenBaoConfiguration(address: url, token: "s.hvac-token", mount: "kv", namespace: "team-a"))
            try await vault.put("swift/written", value: "from swift ✓\nline two")
            let output = try await HvacOracle.run(python: python, environment: [
                "VAULT_URL": url, "VAULT_TOKEN": "s.hvac-token", "VAULT_NAMESPACE": "team-a", "VAULT_MOUNT": "kv",
            ])
            let result = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
            #expect(result["read"] == "from hvac")
            #expect(result["version"] == "2")
            #expect(result["list"] == "one,sub/")
            #expect(result["swift"] == "from swift ✓\nline two")
            #expect(result["afterDelete"] == "InvalidPath")
            #expect(result["wrongToken"] == "Forbidden")
            // What hvac left, read through the adapter.
            #expect(try await vault.get("hvac/sub/two") == "second")
            #expect(try await vault.get("hvac/one") == nil)
            #expect(try await vault.list(prefix: "hvac/") == ["hvac/sub/two"])
        }
    }
}

enum HvacOracle {
    /// The Python named by `REACTOR_ORACLE_PYTHON` when it can import hvac.
    static let python: String? = {
        guard let python = ProcessInfo.processInfo.environment["REACTOR_ORACLE_PYTHON"], !python.isEmpty,
              FileManager.default.isExecutableFile(atPath: python)
        else { return nil }
        return python
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/hvac_oracle.py").path

    /// Runs the oracle script and returns its standard output (one JSON object).
    static func run(python: String, environment: [String: String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else { throw KV2TestServerError("hvac_oracle.py failed (\(status)): \(stderr.suffix(2000)) \(text)") }
        return text
    }
}
