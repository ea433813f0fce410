import Foundation

/// Runs an oracle program (an independent implementation from PyPI, `scripts/oracles`) to completion and returns its
/// exit status and combined output (written to a temporary file, and the exit awaited through the termination
/// handler, so no thread of the cooperative pool blocks).
public enum OracleProcess {
    /// A Python with the oracle packages (`rfc8785`, `cryptography`, `pyjwt`): `REACTOR_ORACLE_PYTHON`, set by
    /// `.ci/run`; nil when unset (then oracle tests do not run).
    public static let python = ProcessInfo.processInfo.environment["REACTOR_ORACLE_PYTHON"]

    /// The path of a script in `scripts/oracles`.
    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/oracles/\(name)").standardizedFileURL.path
    }

    /// Runs `executable` with `arguments`; its exit status and everything it printed.
    public static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")
    }
}
