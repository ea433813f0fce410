import Foundation
import ReactorCore
@_spi(WASIPlatform) import WASI
import WAT
@_spi(Fuzzing) import WasmKit
import WasmKitWASI

/// The ``FunctionRuntime`` for WebAssembly modules with WASI preview 1, on WasmKit's interpreter.
///
/// ``compile(_:)`` turns `.wat` text into a binary, parses the module, checks the invocation contract (imports only
/// from `wasi_snapshot_preview1`, exports `_start` and `memory`) and translates every function once in a trial
/// instance, so a module that compiles here instantiates at every invocation; the parsed module is kept in the
/// ``CompiledFunction``. ``invoke(_:request:environment:limits:)`` instantiates it in a fresh store (nothing survives
/// from one invocation to the next) and runs `_start` on one of the runtime's worker threads, never on Swift's
/// cooperative pool. The sandbox (`docs/functions.md`):
///
/// - stdin is the request JSON, stdout the response JSON, stderr the logs (all in memory, nothing touches the
///   process's own descriptors);
/// - the environment is exactly the given dictionary; the only argument is `function`;
/// - no preopened directories (the file system is an empty in-memory one), no sockets, `poll_oneoff` answers
///   `ENOSYS` (a guest cannot block in the host, so fuel and the timeout bound it);
/// - clocks and random bytes are answered when ``Configuration/clocks`` and ``Configuration/randomness`` allow
///   (they do by default); with either off, those calls answer `ENOSYS`.
///
/// Limits: fuel (WasmKit's fuel metering: exhausted → `FUNCTION_FUEL_EXHAUSTED`), memory (a resource limiter on
/// every growth of linear memory: past the limit → `FUNCTION_MEMORY_LIMIT`), the response size (stdout past the
/// limit stops the guest → `FUNCTION_RESPONSE_TOO_LARGE`) and the wall-clock timeout (the caller is answered
/// `FUNCTION_TIMEOUT` at the deadline; the guest is stopped by draining its fuel, see `InvocationControl`). Memory is
/// bounds-checked in software: WasmKit's `mprotect` mode would install process-wide signal handlers.
public final class WasmFunctionRuntime: FunctionRuntime {
    /// How the runtime runs guests.
    public struct Configuration: Sendable {
        /// Worker threads: at most this many guests run at once; further invocations queue (their timeout runs
        /// while they wait). Default: the number of active processors.
        public var workers: Int
        /// Whether `clock_time_get` and `clock_res_get` answer (else `ENOSYS`).
        public var clocks: Bool
        /// Whether `random_get` answers (else `ENOSYS`).
        public var randomness: Bool
        /// The most elements a table may grow to.
        public var maxTableElements: Int
        /// The interpreter's stack per invocation, in bytes (deep recursion past it traps). Default 512 KiB.
        public var stackSize: Int

        /// Creates a configuration.
        public init(
            workers: Int = ProcessInfo.processInfo.activeProcessorCount, clocks: Bool = true, randomness: Bool = true,
            maxTableElements: Int = 100_000, stackSize: Int = 512 << 10
        ) {
            self.workers = workers
            self.clocks = clocks
            self.randomness = randomness
            self.maxTableElements = maxTableElements
            self.stackSize = stackSize
        }
    }

    /// `"wasm"`.
    public let name = "wasm"
    /// The configuration the runtime was created with.
    public let configuration: Configuration

    private let engine: Engine
    private let validationEngine: Engine
    private let workers: WasmWorkers

    /// The module name of WASI preview 1, the only module a function may import from.
    static let wasiModule = "wasi_snapshot_preview1"
    /// The fuel and memory a module's start function may use while the module is checked at compile time.
    static let compileFuel: UInt64 = 50_000_000
    static let compileMemoryBytes = 256 << 20

    /// A runtime with its own worker threads.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.engine = Engine(
            configuration: EngineConfiguration(
                compilationMode: .lazy, stackSize: configuration.stackSize, memoryBoundsChecking: .software, fuelMetering: true))
        self.validationEngine = Engine(
            configuration: EngineConfiguration(
                compilationMode: .eager, stackSize: configuration.stackSize, memoryBoundsChecking: .software, fuelMetering: true))
        self.workers = WasmWorkers(width: configuration.workers, label: "reactor.functions.wasm")
    }

    /// The prepared form of a module kept in ``CompiledFunction/artifact``.
    struct Artifact: Sendable {
        let module: Module
    }

    // MARK: Compile

    /// Compiles a binary module or WAT text; see the type's documentation. Runs on a worker thread.
    public func compile(_ source: FunctionSource) async throws -> CompiledFunction {
        let result: Result<CompiledFunction, ReactorError> = await withCheckedContinuation { continuation in
            workers.submit { [self] in
                continuation.resume(returning: Result { () throws(ReactorError) in try compileNow(source) })
            }
        }
        return try result.get()
    }

    private func compileNow(_ source: FunctionSource) throws(ReactorError) -> CompiledFunction {
        let binary: [UInt8]
        switch source {
        case .binary(let bytes):
            guard bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]) else {
                throw invalid("not a WebAssembly module: a binary module starts with \\0asm, and this is not WAT text either")
            }
            binary = bytes
        case .text(let text):
            do {
                binary = try wat2wasm(text)
            } catch {
                throw invalid("the WAT text does not compile: \(error)")
            }
        }
        let module: Module
        do {
            module = try parseWasm(bytes: binary)
        } catch {
            throw invalid("not a valid WebAssembly module: \(error)")
        }
        for entry in module.imports {
            guard entry.module == Self.wasiModule else {
                throw invalid("the module imports \(entry.module).\(entry.name): a function may import only from \(Self.wasiModule) (WASI preview 1)")
            }
            guard case .function = entry.descriptor else {
                throw invalid("the module imports \(entry.module).\(entry.name), which is not a function")
            }
        }
        guard module.exports.contains(where: { export in
            if case .function = export.descriptor, export.name == "_start" { return true }
            return false
        }) else {
            throw invalid("the module exports no _start function (a WASI command: in C, a main function)")
        }
        guard module.exports.contains(where: { export in
            if case .memory = export.descriptor, export.name == "memory" { return true }
            return false
        }) else {
            throw invalid("the module exports no memory named \"memory\" (WASI reads and writes the guest through it)")
        }
        try checkInstantiation(module)
        return CompiledFunction(runtime: name, binary: binary, artifact: Artifact(module: module))
    }

    /// Instantiates `module` once with every function translated (which validates every function body) and its
    /// imports linked, without running `_start`.
    private func checkInstantiation(_ module: Module) throws(ReactorError) {
        let store = Store(engine: validationEngine)
        store.fuel = Fuel(remaining: Self.compileFuel)
        store.resourceLimiter = SandboxLimiter(maxMemoryBytes: Self.compileMemoryBytes, maxTableElements: configuration.maxTableElements)
        let control = InvocationControl(limits: FunctionLimits(), started: .now)
        do {
            let bridge = try WASI.WASIBridgeToHost(
                args: ["function"], environment: [:],
                fileSystem: .memory(WASI.MemoryFileSystem()).withStdio(
                    stdin: SandboxInput([], interruption: control),
                    stdout: SandboxOutput(limit: 0, overflow: .truncate, interruption: control),
                    stderr: SandboxOutput(limit: 0, overflow: .truncate, interruption: control)))
            defer { try? bridge.close() }
            var imports = Imports()
            bridge.link(to: &imports, store: store, capabilities: capabilities, stubUnlinked: true)
            _ = try module.instantiate(store: store, imports: imports)
        } catch SandboxStop.memoryLimit(let requested) {
            throw invalid("the module's initial memory (\(requested) bytes) is larger than a function may have at deploy (\(Self.compileMemoryBytes) bytes)")
        } catch {
            throw invalid("the module does not instantiate: \(Self.firstLine(of: error))")
        }
    }

    private var capabilities: [WasmKitWASI.WASICapability] {
        var capabilities: [WasmKitWASI.WASICapability] = [.environment, .process, .stdio, .fileSystem]
        if configuration.clocks { capabilities.append(.clocks) }
        if configuration.randomness { capabilities.append(.random) }
        return capabilities
    }

    private func invalid(_ message: String) -> ReactorError {
        ReactorError(.functionInvalidModule, message)
    }

    // MARK: Invoke

    /// Runs one invocation; see the type's documentation.
    public func invoke(
        _ function: CompiledFunction, request: FunctionRequest, environment: [String: String], limits: FunctionLimits
    ) async -> FunctionInvocation {
        guard function.runtime == name, let artifact = function.artifact as? Artifact else {
            return FunctionInvocation(result: .failure(.foreignFunction(function, runtime: name)))
        }
        let control = InvocationControl(limits: limits, started: .now)
        let input = FunctionWire.encodeRequest(request)
        let timer = OneShotTimer(after: limits.timeout) { control.interrupt(.timeout) }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                control.attach(continuation)
                workers.submit { [self] in
                    // Answered already (the timeout passed in the queue, or the caller went away): skip.
                    guard !control.isInterrupted else { return }
                    control.answer(run(artifact.module, input: input, environment: environment, control: control))
                }
            }
        } onCancel: {
            control.interrupt(.cancelled)
        }
    }

    /// Runs the guest on the current (worker) thread.
    private func run(_ module: Module, input: [UInt8], environment: [String: String], control: InvocationControl) -> FunctionInvocation {
        let limits = control.limits
        let store = Store(engine: engine)
        let budget = limits.fuel ?? .max
        store.fuel = Fuel(remaining: budget)
        store.resourceLimiter = SandboxLimiter(maxMemoryBytes: limits.maxMemoryBytes, maxTableElements: configuration.maxTableElements)
        let stdin = SandboxInput(input, interruption: control)
        let stdout = SandboxOutput(limit: limits.maxResponseBytes, overflow: .stop, interruption: control)
        let stderr = SandboxOutput(limit: limits.maxLogBytes, overflow: .truncate, interruption: control)
        guard control.running(store, logs: stderr) else {
            return FunctionInvocation(result: .failure(InvocationControl.error(for: control.interruption ?? .cancelled, limits: limits)))
        }
        let outcome: Result<UInt32, any Error>
        do {
            let bridge = try WASI.WASIBridgeToHost(
                args: ["function"], environment: environment,
                fileSystem: .memory(WASI.MemoryFileSystem()).withStdio(stdin: stdin, stdout: stdout, stderr: stderr))
            defer { try? bridge.close() }
            var imports = Imports()
            bridge.link(to: &imports, store: store, capabilities: capabilities, stubUnlinked: true)
            outcome = Result { try bridge.start(try module.instantiate(store: store, imports: imports)) }
        } catch {
            outcome = .failure(error)
        }
        control.stopped()
        let fuelConsumed = limits.fuel.map { _ in budget - min(budget, store.fuel?.remaining ?? 0) }

        let (errorBytes, truncated) = stderr.contents
        var logs = FunctionWire.logLines(errorBytes)
        if truncated { logs.append("[reactor: logs truncated at \(limits.maxLogBytes) bytes]") }
        let result: Result<FunctionResponse, ReactorError>
        switch outcome {
        case .success(0):
            result = Result { () throws(ReactorError) in try FunctionWire.decodeResponse(stdout.contents.bytes) }
        case .success(let code):
            result = .failure(
                ReactorError(.functionExited, "the function exited with status \(code)", details: ["exitCode": String(code)]))
        case .failure(let error):
            result = .failure(classify(error, control: control, limits: limits))
        }
        return FunctionInvocation(result: result, logs: logs, fuelConsumed: fuelConsumed, duration: ContinuousClock.now - control.started)
    }

    /// The typed error for what stopped a guest.
    private func classify(_ error: any Error, control: InvocationControl, limits: FunctionLimits) -> ReactorError {
        if let interruption = control.interruption {
            return InvocationControl.error(for: interruption, limits: limits)
        }
        switch error {
        case SandboxStop.memoryLimit(let requested):
            return .functionLimit(
                .functionMemoryLimit, limit: "memory", maximum: String(limits.maxMemoryBytes),
                "the function asked for \(requested) bytes of memory; its limit is \(limits.maxMemoryBytes) bytes",
                details: ["requested": String(requested)])
        case SandboxStop.responseTooLarge:
            return .functionLimit(
                .functionResponseTooLarge, limit: "responseBytes", maximum: String(limits.maxResponseBytes),
                "the function wrote more than its response limit of \(limits.maxResponseBytes) bytes to stdout")
        case SandboxStop.interrupted:
            return InvocationControl.error(for: .cancelled, limits: limits)
        default:
            let reason = Self.trapReason(error)
            if reason == "out of fuel" {
                let budget = limits.fuel.map(String.init) ?? "unlimited"
                return .functionLimit(
                    .functionFuelExhausted, limit: "fuel", maximum: budget,
                    "the function used all of its fuel (\(budget) units) before it finished")
            }
            return ReactorError(.functionTrapped, "the function trapped: \(reason)", details: ["trap": reason])
        }
    }

    /// A trap's reason (`unreachable`, `out of fuel`, …) without its backtrace.
    static func trapReason(_ error: any Error) -> String {
        var line = firstLine(of: error)
        if line.hasPrefix("Trap: ") { line.removeFirst("Trap: ".count) }
        return line
    }

    static func firstLine(of error: any Error) -> String {
        let text = "\(error)"
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
