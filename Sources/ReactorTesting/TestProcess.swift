import Foundation

/// Runs child processes from tests without blocking a thread of Swift's cooperative pool.
///
/// `Process.waitUntilExit()` spins the calling thread's run loop until Foundation delivers the child's exit there;
/// on a cooperative thread that parks one of the pool's few threads for as long as the child runs and, under load,
/// can miss the exit altogether and park it forever (the whole test process then hangs). Tests wait through the
/// termination handler instead, registered before the process starts so that a fast exit is never missed.
public enum TestProcess {
    /// Runs `executable` with `arguments` to completion; its exit status and everything it printed (stdout and
    /// stderr together, through a temporary file, so a large output never fills a pipe).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-child-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let exit = try start(process)
        let status = await exit.status()
        try? output.close()
        return (status, (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")
    }

    /// Starts `process` (configured by the caller) and returns what to await its exit with.
    public static func start(_ process: Process) throws -> ProcessExit {
        let exit = ProcessExit()
        process.terminationHandler = { exit.finish($0.terminationStatus) }
        try process.run()
        return exit
    }
}

/// The exit of a process started by ``TestProcess/start(_:)``.
public final class ProcessExit: Sendable {
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
    }

    func finish(_ status: Int32) {
        continuation.yield(status)
        continuation.finish()
    }

    /// The exit status, once the process has exited (at once if it has). Call it once.
    public func status() async -> Int32 {
        for await status in stream { return status }
        return -1
    }
}
