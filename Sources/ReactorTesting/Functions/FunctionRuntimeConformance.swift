import Foundation
import ReactorCore

/// What a module of ``FunctionRuntimeConformance`` does. A runtime's test target supplies one module per behaviour
/// (`Tests/ReactorWasmTests/Modules/<behaviour>.wat` for WebAssembly; ``MockFunctionRuntime/module(for:)``).
public enum FunctionBehaviour: String, Sendable, CaseIterable {
    /// Reads the request JSON from stdin and answers `{"status": 200, "json": <that JSON>}`.
    case echo
    /// Answers status 200 with its environment as the body: `NAME=value` lines joined by `\n`, in any order.
    case environment
    /// Writes `first line\nsecond line\r\nno newline` to stderr and answers `{"status": 200, "body": "logged"}`.
    case logs
    /// Adds 1 to a mutable global that starts at 0 and answers status 200 with its value as the body: `1` every
    /// time, since every invocation is a fresh instance.
    case counter
    /// Loops forever without calling the host.
    case runaway
    /// Grows its memory one 64 KiB page at a time, forever (starting with one page).
    case memoryBomb
    /// Traps at once (`unreachable`).
    case trap
    /// Writes 65,536 zero bytes to stdout.
    case oversized
    /// Writes `this is not JSON` to stdout.
    case badResponse
    /// Exits with status 3 (`proc_exit(3)`).
    case exitFailure
}

/// The runtime under test and its modules.
public struct FunctionRuntimeFixture: Sendable {
    /// The runtime.
    public let runtime: any FunctionRuntime
    /// The module of each behaviour.
    public let module: @Sendable (FunctionBehaviour) throws -> FunctionSource
    /// Bytes the runtime must refuse to compile.
    public let invalidModule: FunctionSource

    /// Creates a fixture.
    public init(runtime: any FunctionRuntime, invalidModule: FunctionSource, module: @escaping @Sendable (FunctionBehaviour) throws -> FunctionSource) {
        self.runtime = runtime
        self.module = module
        self.invalidModule = invalidModule
    }

    /// Compiles the module of `behaviour`.
    public func compile(_ behaviour: FunctionBehaviour) async throws -> CompiledFunction {
        try await runtime.compile(module(behaviour))
    }
}

/// One named check of ``FunctionRuntimeConformance``.
///
/// ```swift
/// @Test(arguments: FunctionRuntimeConformance.cases)
/// func conformance(_ c: FunctionRuntimeConformanceCase) async throws {
///     try await c.run(FunctionRuntimeFixture(runtime: MockFunctionRuntime(), invalidModule: .text("nonsense"),
///                                            module: MockFunctionRuntime.module(for:)))
/// }
/// ```
public struct FunctionRuntimeConformanceCase: Sendable, CustomStringConvertible {
    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case; throws ``ConformanceFailure`` on failure.
    public let run: @Sendable (FunctionRuntimeFixture) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (FunctionRuntimeFixture) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}

/// The conformance suite every ``FunctionRuntime`` passes: the invocation contract (request JSON in, response JSON
/// out, logs, environment, a fresh instance per invocation) and every limit ending its invocation with its own
/// error (fuel, memory, timeout, response size, traps, bad responses, exits, cancellation), one failing invocation
/// never touching another, and invalid modules refused at compile time.
public enum FunctionRuntimeConformance {
    /// Limits small enough for a test: 20 million units of fuel, 4 MiB of memory, 20 s, 64 KiB of response.
    public static let testLimits = FunctionLimits(fuel: 20_000_000, maxMemoryBytes: 4 << 20, timeout: .seconds(20), maxResponseBytes: 64 << 10)

    /// A request with a JSON body, a query, and a repeated header.
    public static let sampleRequest = FunctionRequest(
        method: "POST", path: "/orders/7", query: "expand=items&x=1",
        headers: [FunctionHeader("Content-Type", "application/json"), FunctionHeader("X-Multi", "a"), FunctionHeader("x-multi", "b")],
        body: Array(#"{"quantity": 2, "note": "café \"quoted\""}"#.utf8))

    /// Every case, in a stable order.
    public static let cases: [FunctionRuntimeConformanceCase] = [
        FunctionRuntimeConformanceCase("echo reads the request JSON from stdin and answers on stdout") { fixture in
            let echo = try await fixture.compile(.echo)
            let invocation = await fixture.runtime.invoke(echo, request: sampleRequest, environment: [:], limits: testLimits)
            let response = try succeeded(invocation, "echo")
            try check(response.status == 200, "echo answered status \(response.status)")
            try check(response.header("content-type") == "application/json", "a json response has content-type \(String(describing: response.header("content-type")))")
            let echoed = try JSONValueCoder.parse(response.body)
            let sent = try JSONValueCoder.parse(FunctionWire.encodeRequest(sampleRequest))
            try check(echoed == sent, "the function read \(echoed.canonicalString), expected \(sent.canonicalString)")
            try check(echoed["headers"]?["x-multi"] == .string("a, b"), "repeated headers are joined: \(echoed.canonicalString)")
            try check(echoed["body"]?.stringValue.map { $0.contains("café") } == true, "a UTF-8 body arrives as text: \(echoed.canonicalString)")
        },
        FunctionRuntimeConformanceCase("a body that is not UTF-8 arrives as bodyBase64") { fixture in
            let echo = try await fixture.compile(.echo)
            let request = FunctionRequest(method: "PUT", path: "/blob", body: [0xFF, 0x00, 0x80, 0x41])
            let response = try succeeded(await fixture.runtime.invoke(echo, request: request, environment: [:], limits: testLimits), "echo")
            let echoed = try JSONValueCoder.parse(response.body)
            try check(echoed["bodyBase64"] == .string("/wCAQQ=="), "bodyBase64 is \(String(describing: echoed["bodyBase64"]))")
            try check(echoed["body"] == nil, "a binary body also arrived as body")
        },
        FunctionRuntimeConformanceCase("the environment is exactly the given variables") { fixture in
            let function = try await fixture.compile(.environment)
            let environment = ["GREETING": "hello", "REGION": "eu-west-1", "EMPTY": ""]
            let response = try succeeded(
                await fixture.runtime.invoke(function, request: FunctionRequest(), environment: environment, limits: testLimits), "environment")
            let lines = Set(response.bodyText.split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
            try check(lines == ["GREETING=hello", "REGION=eu-west-1", "EMPTY="], "the function saw \(lines)")
            let none = try succeeded(await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: testLimits), "environment")
            try check(none.body.isEmpty, "with no variables the function saw \(none.bodyText)")
        },
        FunctionRuntimeConformanceCase("stderr lines are the logs") { fixture in
            let function = try await fixture.compile(.logs)
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: testLimits)
            let response = try succeeded(invocation, "logs")
            try check(response.bodyText == "logged", "logs answered \(response.bodyText)")
            try check(invocation.logs == ["first line", "second line", "no newline"], "the logs are \(invocation.logs)")
        },
        FunctionRuntimeConformanceCase("every invocation starts from a fresh instance of a module compiled once") { fixture in
            let counter = try await fixture.compile(.counter)
            let again = try await fixture.compile(.counter)
            try check(counter == again && counter.digest == again.digest, "two compilations of one module differ: \(counter.digest) \(again.digest)")
            try check(counter.digest.hasPrefix("sha256:") && counter.digest.count == 71, "digest \(counter.digest)")
            for round in 1...5 {
                let response = try succeeded(
                    await fixture.runtime.invoke(counter, request: FunctionRequest(), environment: [:], limits: testLimits), "counter")
                try check(response.bodyText == "1", "invocation \(round) saw the counter at \(response.bodyText): state survived an invocation")
            }
        },
        FunctionRuntimeConformanceCase("a runaway loop exhausts its fuel") { fixture in
            let function = try await fixture.compile(.runaway)
            var limits = testLimits
            limits.fuel = 1_000_000
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: limits)
            try failed(invocation, .functionFuelExhausted, limit: "fuel", maximum: "1000000", "runaway")
        },
        FunctionRuntimeConformanceCase("a runaway loop without a fuel limit is stopped by the timeout") { fixture in
            let function = try await fixture.compile(.runaway)
            var limits = testLimits
            limits.fuel = nil
            limits.timeout = .milliseconds(300)
            let started = ContinuousClock.now
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: limits)
            let elapsed = ContinuousClock.now - started
            try failed(invocation, .functionTimeout, limit: "timeout", maximum: "300", "runaway without fuel")
            // The upper bound only tells the timeout from the loop's own end (never): a test process whose cooperative
            // pool is busy with other tests may answer seconds late.
            try check(elapsed >= .milliseconds(290) && elapsed < .seconds(120), "the timeout of 300 ms answered after \(elapsed)")
            // The runtime is still usable: the stopped guest gave its worker back.
            let counter = try await fixture.compile(.counter)
            let response = try succeeded(await fixture.runtime.invoke(counter, request: FunctionRequest(), environment: [:], limits: testLimits), "counter after a timeout")
            try check(response.bodyText == "1", "counter after a timeout answered \(response.bodyText)")
        },
        FunctionRuntimeConformanceCase("a memory bomb hits the memory limit") { fixture in
            let function = try await fixture.compile(.memoryBomb)
            var limits = testLimits
            limits.maxMemoryBytes = 1 << 20
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: limits)
            let error = try failed(invocation, .functionMemoryLimit, limit: "memory", maximum: "1048576", "memory bomb")
            try check(error.details["requested"].flatMap { Int($0) }.map { $0 > 1 << 20 } == true, "requested \(String(describing: error.details["requested"]))")
        },
        FunctionRuntimeConformanceCase("a trap ends the invocation with the trap") { fixture in
            let function = try await fixture.compile(.trap)
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: testLimits)
            let error = try failed(invocation, .functionTrapped, "trap")
            try check(error.details["trap"]?.contains("unreachable") == true, "the trap is \(String(describing: error.details["trap"]))")
        },
        FunctionRuntimeConformanceCase("an oversized response hits the response limit") { fixture in
            let function = try await fixture.compile(.oversized)
            var limits = testLimits
            limits.maxResponseBytes = 1024
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: limits)
            try failed(invocation, .functionResponseTooLarge, limit: "responseBytes", maximum: "1024", "oversized")
            // Within a larger limit the same output is just not a response.
            limits.maxResponseBytes = 1 << 20
            let within = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: limits)
            try failed(within, .functionBadResponse, "oversized within its limit")
        },
        FunctionRuntimeConformanceCase("output that is not a response is a bad response") { fixture in
            let function = try await fixture.compile(.badResponse)
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: testLimits)
            try failed(invocation, .functionBadResponse, "bad response")
        },
        FunctionRuntimeConformanceCase("a non-zero exit status is an exit error") { fixture in
            let function = try await fixture.compile(.exitFailure)
            let invocation = await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: testLimits)
            let error = try failed(invocation, .functionExited, "exit 3")
            try check(error.details["exitCode"] == "3", "exit code \(String(describing: error.details["exitCode"]))")
        },
        FunctionRuntimeConformanceCase("an invalid module is refused at compile time") { fixture in
            do {
                _ = try await fixture.runtime.compile(fixture.invalidModule)
                throw ConformanceFailure("an invalid module compiled")
            } catch let error as ReactorError {
                try check(error.code == .functionInvalidModule, "an invalid module failed with \(error.debugDescription)")
                try check(!error.message.isEmpty, "the error does not say what is wrong")
            }
        },
        FunctionRuntimeConformanceCase("a cancelled caller interrupts the invocation") { fixture in
            let function = try await fixture.compile(.runaway)
            var limits = testLimits
            limits.fuel = nil
            limits.timeout = .seconds(600)
            let started = ContinuousClock.now
            let unlimited = limits
            let task = Task { await fixture.runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: unlimited) }
            task.cancel()
            let invocation = await task.value
            try failed(invocation, .functionCancelled, "cancelled")
            // Well before the timeout (the bound allows for a busy test process).
            try check(ContinuousClock.now - started < .seconds(120), "the cancelled invocation answered after \(ContinuousClock.now - started)")
        },
        FunctionRuntimeConformanceCase("failing invocations do not affect others running beside them") { fixture in
            let echo = try await fixture.compile(.echo)
            var failing: [(FunctionBehaviour, CompiledFunction, ReactorError.Code)] = []
            for (behaviour, code) in [
                (FunctionBehaviour.trap, ReactorError.Code.functionTrapped), (.runaway, .functionFuelExhausted),
                (.memoryBomb, .functionMemoryLimit), (.oversized, .functionResponseTooLarge), (.badResponse, .functionBadResponse),
            ] {
                failing.append((behaviour, try await fixture.compile(behaviour), code))
            }
            var limits = testLimits
            limits.fuel = 2_000_000
            limits.maxMemoryBytes = 1 << 20
            limits.maxResponseBytes = 1024
            let runtime = fixture.runtime
            let small = limits
            let outcomes = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        let request = FunctionRequest(method: "GET", path: "/echo/\(index)")
                        let response = try succeeded(await runtime.invoke(echo, request: request, environment: [:], limits: small), "echo \(index)")
                        let path = try JSONValueCoder.parse(response.body)["path"]
                        return path == .string("/echo/\(index)") ? nil : "echo \(index) answered path \(String(describing: path))"
                    }
                }
                for (behaviour, function, code) in failing + failing {
                    group.addTask {
                        let invocation = await runtime.invoke(function, request: FunctionRequest(), environment: [:], limits: small)
                        return invocation.error?.code == code ? nil : "\(behaviour) ended with \(String(describing: invocation.error?.debugDescription))"
                    }
                }
                return try await group.reduce(into: [String]()) { if let problem = $1 { $0.append(problem) } }
            }
            try check(outcomes.isEmpty, "concurrent invocations interfered: \(outcomes)")
        },
        FunctionRuntimeConformanceCase("a function compiled by another runtime is refused") { fixture in
            let foreign = CompiledFunction(runtime: "elsewhere", binary: [1, 2, 3], artifact: 0)
            let invocation = await fixture.runtime.invoke(foreign, request: FunctionRequest(), environment: [:], limits: testLimits)
            try check(invocation.error?.code == .invalidArgument, "a foreign function ended with \(String(describing: invocation.error))")
        },
    ]

    /// The response of an invocation that must have succeeded.
    static func succeeded(_ invocation: FunctionInvocation, _ what: String, file: StaticString = #fileID, line: UInt = #line) throws -> FunctionResponse {
        switch invocation.result {
        case .success(let response): return response
        case .failure(let error):
            throw ConformanceFailure("\(what) failed: \(error.debugDescription); logs: \(invocation.logs)", file: file, line: line)
        }
    }

    /// The error of an invocation that must have failed with `code` (and, for a limit, naming it).
    @discardableResult
    static func failed(
        _ invocation: FunctionInvocation, _ code: ReactorError.Code, limit: String? = nil, maximum: String? = nil, _ what: String,
        file: StaticString = #fileID, line: UInt = #line
    ) throws -> ReactorError {
        guard let error = invocation.error else {
            throw ConformanceFailure("\(what): expected \(code), it answered \(String(describing: try? invocation.response()))", file: file, line: line)
        }
        try check(error.code == code, "\(what): expected \(code), got \(error.debugDescription)", file: file, line: line)
        if let limit { try check(error.details["limit"] == limit, "\(what): the error names limit \(String(describing: error.details["limit"]))", file: file, line: line) }
        if let maximum {
            try check(error.details["maximum"] == maximum, "\(what): the error names maximum \(String(describing: error.details["maximum"]))", file: file, line: line)
        }
        return error
    }
}
