import Foundation

/// Runs an oracle program (an independent implementation from PyPI, `scripts/oracles`) to completion and returns its
/// exit status and combined output (through ``TestProcess``, so no thread of the cooperative pool blocks).
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
        try await TestProcess.run(executable, arguments)
    }
}
