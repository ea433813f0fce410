import Foundation

/// Runs a command to completion without blocking a thread of the cooperative pool: its output (stdout and stderr
/// together) goes to a temporary file, read back when it exits.
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments` and returns its exit status and output.
    ///
    /// - Throws: ``PostgresTestServerError`` when the executable cannot be started.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-child-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
              let output = FileHandle(forWritingAtPath: outputURL.path)
        else {
            throw PostgresTestServerError("cannot create the output file \(outputURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let environment { process.environment = environment }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = output
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: PostgresTestServerError("cannot run \(executable): \(error)"))
            }
        }
        try? output.close()
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Result(status: status, output: text.trimmingCharacters(in: .whitespacesAndNewlines))
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
