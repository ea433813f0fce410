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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let status = try await start(process, standardOutput: outputURL, standardError: outputURL).status()
        return (status, (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")
    }

    /// Starts `process` (configured by the caller) and returns what to await its exit with.
    public static func start(_ process: Process) throws -> ProcessExit {
        let exit = ProcessExit()
        process.terminationHandler = { exit.finish($0.terminationStatus) }
        try process.run()
        return exit
    }

    /// Starts `process` with its standard output written to the file at `standardOutput` and its standard error to
    /// `standardError` (the null device when nil). The files must exist. This process's copies of the handles are
    /// closed once the child holds its own: a test run that starts hundreds of children keeps no descriptor of theirs.
    public static func start(_ process: Process, standardOutput: URL, standardError: URL?) throws -> ProcessExit {
        let output = try FileHandle(forWritingTo: standardOutput)
        defer { try? output.close() }
        let errors = try standardError.map { try FileHandle(forWritingTo: $0) }
        defer { try? errors?.close() }
        process.standardOutput = output
        process.standardError = errors ?? FileHandle.nullDevice
        return try start(process)
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
