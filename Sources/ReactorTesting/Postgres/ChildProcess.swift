import Foundation

/// Runs the PostgreSQL tools for the test cluster (through ``TestProcess``: no thread of the cooperative pool blocks).
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments` and returns its exit status and output.
    ///
    /// - Throws: ``PostgresTestServerError`` when the executable cannot be started.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        do {
            let (status, output) = try await TestProcess.run(executable, arguments, environment: environment)
            return Result(status: status, output: output.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw PostgresTestServerError("cannot run \(executable): \(error)")
        }
    }

    /// Starts `executable` and does not wait for it (used for the watchdog, which outlives the test process).
    static func launchDetached(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PostgresTestServerError("cannot start the watchdog \(executable): \(error)")
        }
    }
}
