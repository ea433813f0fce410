import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real S3-compatible server for tests: one `moto_server` (PyPI `moto[server]`) per test process, on a free port of
/// 127.0.0.1, started on first use and stopped by a watchdog as soon as the test process is gone (as
/// ``PostgresTestServer`` does for its cluster).
///
/// The binary is `REACTOR_MOTO_SERVER` when set, else `moto_server` on `PATH`. Suites that need it are enabled with
/// ``isEnabled``: when the binary is missing they are skipped with ``skipReason`` — unless `REACTOR_REQUIRE_MOTO=1`
/// (set by `.ci/run`), and then ``shared()`` fails the tests naming what is missing.
public enum MotoTestServer {
    /// The environment variable naming the `moto_server` executable.
    public static let binaryVariable = "REACTOR_MOTO_SERVER"
    /// The environment variable that, set to `1`, makes a missing moto a test failure instead of a skip.
    public static let requireVariable = "REACTOR_REQUIRE_MOTO"

    /// The executable, or nil when none is found.
    public static var binary: String? {
        let environment = ProcessInfo.processInfo.environment
        if let named = environment[binaryVariable], !named.isEmpty { return named }
        let path = environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the environment requires moto (`REACTOR_REQUIRE_MOTO=1`).
    public static var isRequired: Bool { ProcessInfo.processInfo.environment[requireVariable] == "1" }

    /// Whether suites that need moto run: the binary is there, or it is required (and its absence then fails them).
    public static var isEnabled: Bool { binary != nil || isRequired }

    /// Why suites that need moto are skipped.
    public static let skipReason = "moto_server not found (pip install 'moto[server]', or set REACTOR_MOTO_SERVER); set REACTOR_REQUIRE_MOTO=1 to fail instead"

    /// The base URL of the shared server (`http://127.0.0.1:PORT`), starting it on the first call.
    ///
    /// - Throws: ``MotoTestServerError`` when the binary is missing or the server does not start.
    public static func shared() async throws -> String {
        try await MotoTestProcess.instance.url()
    }
}


/// Why the moto test server could not be had.
public struct MotoTestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The one moto process of the test run.
actor MotoTestProcess {
    static let instance = MotoTestProcess()

    private enum State {
        case idle
        case starting([CheckedContinuation<String, any Error>])
        case done(Result<String, MotoTestServerError>)
    }

    private var state = State.idle

    /// The server's URL, starting it on the first call; concurrent callers wait for the same start, and a failed
    /// start fails every later call with the same error.
    func url() async throws -> String {
        switch state {
        case .done(let result):
            return try result.get()
        case .starting:
            return try await withCheckedThrowingContinuation { continuation in
                if case .starting(var waiters) = state {
                    waiters.append(continuation)
                    state = .starting(waiters)
                } else if case .done(let result) = state {
                    continuation.resume(with: result.mapError { $0 as any Error })
                }
            }
        case .idle:
            state = .starting([])
            let result = await Self.start()
            if case .starting(let waiters) = state {
                for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
            }
            state = .done(result)
            return try result.get()
        }
    }

    private static func start() async -> Result<String, MotoTestServerError> {
        guard let binary = MotoTestServer.binary else {
            return .failure(MotoTestServerError(
                "moto_server not found: \(MotoTestServer.requireVariable)=1 requires it; install moto[server] or set \(MotoTestServer.binaryVariable)"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-moto-\(UUID().uuidString.prefix(8))").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(MotoTestServerError("cannot create \(directory): \(error)"))
        }
        var lastFailure = ""
        for attempt in 0..<3 {
            do {
                let port = try LoopbackPort.free()
                let log = "\(directory)/moto-\(attempt).log"
                try launchGuarded(binary: binary, port: port, log: log, pidFile: "\(directory)/moto-\(attempt).pid")
                do {
                    try await eventually("moto_server listening on port \(port)", timeout: .seconds(60), interval: .milliseconds(50)) {
                        if LoopbackPort.accepts(port) { return true }
                        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                        if text.contains("Address already in use") || text.contains("Traceback") {
                            throw MotoTestServerError("moto_server on port \(port) failed: \(text.suffix(1_000))")
                        }
                        return false
                    }
                    return .success("http://127.0.0.1:\(port)")
                } catch {
                    lastFailure = "\(error)"
                }
            } catch {
                lastFailure = "\(error)"
            }
        }
        return .failure(MotoTestServerError("moto_server (\(binary)) did not start: \(lastFailure)"))
    }

    /// Starts, in a new session, a shell that runs moto and then watches the test process: once it is gone, it stops
    /// moto.
    private static func launchGuarded(binary: String, port: Int, log: String, pidFile: String) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let script = """
            \(quoted(binary)) -H 127.0.0.1 -p \(port) >\(quoted(log)) 2>&1 </dev/null &
            moto=$!
            echo $moto >\(quoted(pidFile))
            while kill -0 \(pid) 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1; done
            kill -KILL $moto 2>/dev/null
            """
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            try ChildProcess.launchDetached("/usr/bin/setsid", ["/bin/sh", "-c", script])
        } else {
            try ChildProcess.launchDetached("/bin/sh", ["-c", script])
        }
    }
}
