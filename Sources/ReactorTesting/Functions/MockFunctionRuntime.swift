import Foundation
import ReactorCore
import Synchronization

/// A ``FunctionRuntime`` whose functions are Swift closures: for tests of what sits above the protocol (deploys,
/// routes, triggers) without WebAssembly.
///
/// A module is the text `mock:<name>` naming a registered handler (``register(_:handler:)``) or one of the
/// ``FunctionBehaviour`` handlers every mock has (``module(for:)``); anything else does not compile
/// (`FUNCTION_INVALID_MODULE`). A handler gets a ``MockFunctionCall`` (the request JSON, the environment, stderr, and
/// simulated fuel and memory) and returns what the function writes to stdout, which goes through ``FunctionWire``
/// exactly as a real function's output does; the mock enforces every ``FunctionLimits`` the same way, so it passes
/// ``FunctionRuntimeConformance``.
public final class MockFunctionRuntime: FunctionRuntime {
    /// A function: returns its stdout, or throws (``MockFunctionFault``, or the errors of ``MockFunctionCall``).
    public typealias Handler = @Sendable (MockFunctionCall) async throws -> [UInt8]

    /// `"mock"`.
    public let name = "mock"
    private let handlers: Mutex<[String: Handler]>
    private let compiled = Mutex(0)

    /// A mock with the ``FunctionBehaviour`` handlers.
    public init() {
        var handlers: [String: Handler] = [:]
        for behaviour in FunctionBehaviour.allCases { handlers[behaviour.rawValue] = Self.handler(for: behaviour) }
        self.handlers = Mutex(handlers)
    }

    /// Registers (or replaces) the handler compiled from the module `mock:<name>`.
    public func register(_ name: String, handler: @escaping Handler) {
        handlers.withLock { $0[name] = handler }
    }

    /// The module of a ``FunctionBehaviour`` for this runtime.
    public static func module(for behaviour: FunctionBehaviour) -> FunctionSource {
        .text("mock:\(behaviour.rawValue)")
    }

    /// How many modules were compiled (to check that callers compile once per version).
    public var compileCount: Int { compiled.withLock { $0 } }

    /// Compiles `mock:<name>` to its handler.
    public func compile(_ source: FunctionSource) async throws -> CompiledFunction {
        guard case .text(let text) = source, text.hasPrefix("mock:") else {
            throw ReactorError(.functionInvalidModule, "not a mock module: a mock module is the text mock:<name>")
        }
        let name = String(text.dropFirst("mock:".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let handler = handlers.withLock({ $0[name] }) else {
            throw ReactorError(.functionInvalidModule, "no mock function is registered as '\(name)'")
        }
        compiled.withLock { $0 += 1 }
        return CompiledFunction(runtime: self.name, binary: Array(text.utf8), artifact: HandlerBox(handler: handler))
    }

    private struct HandlerBox: Sendable {
        let handler: Handler
    }

    private enum Outcome: Sendable {
        case finished(Result<[UInt8], any Error>)
        case timedOut
    }

    /// Runs the handler within `limits`; see the type's documentation.
    public func invoke(
        _ function: CompiledFunction, request: FunctionRequest, environment: [String: String], limits: FunctionLimits
    ) async -> FunctionInvocation {
        guard function.runtime == name, let box = function.artifact as? HandlerBox else {
            return FunctionInvocation(result: .failure(.foreignFunction(function, runtime: name)))
        }
        let started = ContinuousClock.now
        let call = MockFunctionCall(request: request, environment: environment, limits: limits)
        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do { return .finished(.success(try await box.handler(call))) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do { try await Task.sleep(for: limits.timeout) } catch { return .finished(.failure(CancellationError())) }
                return .timedOut
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        let result: Result<FunctionResponse, ReactorError>
        if Task.isCancelled {
            result = .failure(ReactorError(.functionCancelled, "the invocation was cancelled: its caller went away"))
        } else {
            switch outcome {
            case .timedOut:
                result = .failure(
                    .functionLimit(
                        .functionTimeout, limit: "timeout", maximum: String(limits.timeoutMilliseconds),
                        "the function did not finish within its timeout of \(limits.timeoutMilliseconds) ms"))
            case .finished(.success(let stdout)):
                if stdout.count > limits.maxResponseBytes {
                    result = .failure(
                        .functionLimit(
                            .functionResponseTooLarge, limit: "responseBytes", maximum: String(limits.maxResponseBytes),
                            "the function wrote more than its response limit of \(limits.maxResponseBytes) bytes to stdout"))
                } else {
                    result = Result { () throws(ReactorError) in try FunctionWire.decodeResponse(stdout) }
                }
            case .finished(.failure(let error)):
                result = .failure(Self.error(for: error, limits: limits))
            }
        }
        let (stderr, truncated) = call.stderr
        var logs = FunctionWire.logLines(stderr)
        if truncated { logs.append("[reactor: logs truncated at \(limits.maxLogBytes) bytes]") }
        return FunctionInvocation(result: result, logs: logs, fuelConsumed: limits.fuel.map { _ in call.fuelConsumed }, duration: ContinuousClock.now - started)
    }

    private static func error(for error: any Error, limits: FunctionLimits) -> ReactorError {
        switch error {
        case let fault as MockFunctionFault:
            switch fault {
            case .trap(let reason):
                return ReactorError(.functionTrapped, "the function trapped: \(reason)", details: ["trap": reason])
            case .exit(let code):
                return ReactorError(.functionExited, "the function exited with status \(code)", details: ["exitCode": String(code)])
            case .fuelExhausted:
                let budget = limits.fuel.map(String.init) ?? "unlimited"
                return .functionLimit(
                    .functionFuelExhausted, limit: "fuel", maximum: budget, "the function used all of its fuel (\(budget) units) before it finished")
            case .memoryLimit(let requested):
                return .functionLimit(
                    .functionMemoryLimit, limit: "memory", maximum: String(limits.maxMemoryBytes),
                    "the function asked for \(requested) bytes of memory; its limit is \(limits.maxMemoryBytes) bytes",
                    details: ["requested": String(requested)])
            }
        case is CancellationError:
            return ReactorError(.functionCancelled, "the invocation was cancelled: its caller went away")
        case let error as ReactorError:
            return ReactorError(.functionTrapped, "the function failed: \(error.message)", details: ["trap": error.code.rawValue])
        default:
            return ReactorError(.functionTrapped, "the function failed: \(error)", details: ["trap": "\(error)"])
        }
    }

    /// The built-in handler of `behaviour`.
    static func handler(for behaviour: FunctionBehaviour) -> Handler {
        switch behaviour {
        case .echo:
            return { call in
                JSONValue.object(["status": 200, "json": try JSONValueCoder.parse(call.stdin)]).canonicalData
            }
        case .environment:
            return { call in
                let body = call.environment.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
                return FunctionWire.encodeResponse(FunctionResponse(status: 200, body: Array(body.utf8)))
            }
        case .logs:
            return { call in
                call.writeStderr("first line\nsecond line\r\nno newline")
                return Array(#"{"status": 200, "body": "logged"}"#.utf8)
            }
        case .counter:
            // Nothing survives an invocation: the counter starts at 0 every time.
            return { _ in
                var counter = 0
                counter += 1
                return Array(#"{"status": 200, "body": "\#(counter)"}"#.utf8)
            }
        case .runaway:
            // A loop that never ends, without spinning on the cooperative pool (a test double must not hog it): with
            // a fuel budget it burns the whole budget at once; without one it waits until the timeout or the caller
            // stops it.
            return { call in
                if let fuel = call.limits.fuel, fuel < .max { try await call.consumeFuel(fuel + 1) }
                try await Task.sleep(for: .seconds(86_400))
                return []
            }
        case .memoryBomb:
            // Grows without suspending, so it meets its limit at once however busy the cooperative pool is.
            return { call in
                while true { try call.growMemory(by: 65536) }
            }
        case .trap:
            return { _ in throw MockFunctionFault.trap("unreachable") }
        case .oversized:
            return { _ in [UInt8](repeating: 0, count: 65536) }
        case .badResponse:
            return { _ in Array("this is not JSON".utf8) }
        case .exitFailure:
            return { _ in throw MockFunctionFault.exit(3) }
        }
    }
}

/// How a mock function fails on purpose.
public enum MockFunctionFault: Error, Sendable {
    /// A trap with its reason (`FUNCTION_TRAPPED`).
    case trap(String)
    /// An exit with a status (`FUNCTION_EXITED` when not 0).
    case exit(UInt32)
    /// Thrown by ``MockFunctionCall/consumeFuel(_:)`` past the fuel limit.
    case fuelExhausted
    /// Thrown by ``MockFunctionCall/growMemory(by:)`` past the memory limit.
    case memoryLimit(requested: Int)
}

/// One invocation of a mock function: what it reads, and its simulated stderr, fuel and memory.
public final class MockFunctionCall: Sendable {
    /// The request.
    public let request: FunctionRequest
    /// The request JSON, as a real function reads it on stdin (``FunctionWire/encodeRequest(_:)``).
    public let stdin: [UInt8]
    /// The environment variables.
    public let environment: [String: String]
    /// The invocation's limits.
    public let limits: FunctionLimits

    private struct Meter {
        var fuel: UInt64 = 0
        var memory = 65536
        var stderr: [UInt8] = []
        var truncated = false
    }

    private let meter = Mutex(Meter())

    init(request: FunctionRequest, environment: [String: String], limits: FunctionLimits) {
        self.request = request
        self.stdin = FunctionWire.encodeRequest(request)
        self.environment = environment
        self.limits = limits
    }

    /// Writes to stderr (kept up to ``FunctionLimits/maxLogBytes``).
    public func writeStderr(_ text: String) {
        meter.withLock { meter in
            let bytes = Array(text.utf8)
            let room = max(0, limits.maxLogBytes - meter.stderr.count)
            meter.stderr.append(contentsOf: bytes.prefix(room))
            if bytes.count > room { meter.truncated = true }
        }
    }

    /// Spends `units` of fuel; throws ``MockFunctionFault/fuelExhausted`` past the limit and `CancellationError` when
    /// the invocation was interrupted (a long-running mock calls this in its loop).
    public func consumeFuel(_ units: UInt64) async throws {
        let exhausted = meter.withLock { meter -> Bool in
            meter.fuel &+= units
            return limits.fuel.map { meter.fuel > $0 } ?? false
        }
        if exhausted { throw MockFunctionFault.fuelExhausted }
        await Task.yield()
        try Task.checkCancellation()
    }

    /// Grows the simulated memory (one 64 KiB page to start with) by `bytes`; throws
    /// ``MockFunctionFault/memoryLimit(requested:)`` past the limit.
    public func growMemory(by bytes: Int) throws {
        try meter.withLock { meter in
            let requested = meter.memory + bytes
            guard requested <= limits.maxMemoryBytes else { throw MockFunctionFault.memoryLimit(requested: requested) }
            meter.memory = requested
        }
    }

    /// The fuel spent so far.
    public var fuelConsumed: UInt64 { meter.withLock { min($0.fuel, limits.fuel ?? .max) } }

    var stderr: (bytes: [UInt8], truncated: Bool) { meter.withLock { ($0.stderr, $0.truncated) } }
}
