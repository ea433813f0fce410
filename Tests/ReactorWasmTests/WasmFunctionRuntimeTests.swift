import Foundation
import ReactorCore
import ReactorTesting
import ReactorWasm
import Testing

/// What only the WebAssembly runtime has: the module checks at compile time, the WASI surface of the sandbox, the
/// worker threads, binaries from other tools and a C program.
@Suite("WasmFunctionRuntime", .timeLimit(.minutes(3)))
struct WasmFunctionRuntimeTests {
    let runtime = WasmFunctionRuntime(configuration: .init(workers: 2))
    let limits = FunctionRuntimeConformance.testLimits

    /// The error of compiling `source`, which must fail.
    func compileError(_ source: FunctionSource) async throws -> ReactorError {
        do {
            let compiled = try await runtime.compile(source)
            Issue.record("compiled \(compiled.digest)")
            throw ConformanceFailure("expected FUNCTION_INVALID_MODULE")
        } catch let error as ReactorError {
            #expect(error.code == .functionInvalidModule, "\(error.debugDescription)")
            return error
        }
    }

    @Test func modulesThatBreakTheContractAreRefusedSayingWhy() async throws {
        let garbage = try await compileError(.binary([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xFF]))
        #expect(garbage.message.contains("not a valid WebAssembly module"))
        let notWasm = try await compileError(.binary([0x7F, 0x45, 0x4C, 0x46]))
        #expect(notWasm.message.contains("\\0asm"))
        let badText = try await compileError(.text("(module (func $f (oops)))"))
        #expect(badText.message.contains("WAT"))
        let envImport = try await compileError(try WasmModules.source("envImport"))
        #expect(envImport.message.contains("env.host_secret") && envImport.message.contains("wasi_snapshot_preview1"))
        let noStart = try await compileError(try WasmModules.source("noStart"))
        #expect(noStart.message.contains("_start"))
        let noMemory = try await compileError(.text(#"(module (func (export "_start")))"#))
        #expect(noMemory.message.contains("memory"))
        // A function body that does not validate is found at compile time, not at the first invocation.
        let badBody = try await compileError(.binary(WasmModules.invalidBody))
        #expect(badBody.message.contains("does not instantiate") || badBody.message.contains("not a valid"), "\(badBody.message)")
        let unknownWASI = try await compileError(
            .text(#"(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (memory (export "memory") 1) (func (export "_start")))"#))
        #expect(unknownWASI.message.contains("no_such_call"), "\(unknownWASI.message)")
    }

    @Test func sourcesAreDetectedByTheirMagic() throws {
        #expect(FunctionSource.detect([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) == .binary([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
        #expect(FunctionSource.detect(Array("(module)".utf8)) == .text("(module)"))
        #expect(FunctionSource.detect([0xFF, 0xFE]) == .binary([0xFF, 0xFE]))
    }

    /// The benchmark's function (`scripts/bench-functions.sh`) answers 200 "ok": a benchmark of a function that fails
    /// would measure the error path.
    @Test func theBenchmarksTrivialFunctionAnswersOK() async throws {
        let trivial = try await runtime.compile(try WasmModules.source("trivial"))
        let response = try await runtime.invoke(trivial, request: FunctionRequest(), environment: [:], limits: limits).response()
        #expect(response.status == 200)
        #expect(response.bodyText == "ok")
    }

    /// `poll_oneoff` answers ENOSYS at once: a guest cannot sleep in the host, so fuel and the timeout bound it.
    @Test func aGuestCannotSleepInTheHost() async throws {
        let sleeper = try await runtime.compile(try WasmModules.source("sleep"))
        let invocation = await runtime.invoke(sleeper, request: FunctionRequest(), environment: [:], limits: limits)
        #expect(try invocation.response().bodyText == "52")
        #expect(invocation.duration < .seconds(5))
    }

    @Test func clocksAreAnsweredUnlessTheConfigurationTurnsThemOff() async throws {
        let source = try WasmModules.source("clock")
        let withClocks = try await runtime.compile(source)
        #expect(try await runtime.invoke(withClocks, request: FunctionRequest(), environment: [:], limits: limits).response().bodyText == "00")
        let deterministic = WasmFunctionRuntime(configuration: .init(workers: 1, clocks: false, randomness: false))
        let withoutClocks = try await deterministic.compile(source)
        #expect(try await deterministic.invoke(withoutClocks, request: FunctionRequest(), environment: [:], limits: limits).response().bodyText == "52")
    }

    /// With one worker, a guest stopped by its timeout gives the worker back: the other invocation runs (before it or
    /// queued behind it) and answers.
    @Test func aTimedOutGuestFreesItsWorker() async throws {
        let single = WasmFunctionRuntime(configuration: .init(workers: 1))
        let runaway = try await single.compile(try WasmModules.source("runaway"))
        let echo = try await single.compile(try WasmModules.source("echo"))
        var runawayLimits = limits
        runawayLimits.fuel = nil
        runawayLimits.timeout = .milliseconds(300)
        let unlimited = runawayLimits
        async let stuck = single.invoke(runaway, request: FunctionRequest(), environment: [:], limits: unlimited)
        async let queued = single.invoke(echo, request: FunctionRequest(path: "/after"), environment: [:], limits: limits)
        let (stopped, answered) = await (stuck, queued)
        #expect(stopped.error?.code == .functionTimeout)
        #expect(try JSONValueCoder.parse(answered.response().body)["path"] == "/after")
    }

    @Test func fuelIsReportedAndLogsAreCappedWithANote() async throws {
        let logs = try await runtime.compile(try WasmModules.source("logs"))
        var small = limits
        small.maxLogBytes = 15
        let invocation = await runtime.invoke(logs, request: FunctionRequest(), environment: [:], limits: small)
        #expect(try invocation.response().bodyText == "logged")
        #expect(invocation.logs == ["first line", "seco", "[reactor: logs truncated at 15 bytes]"])
        #expect((invocation.fuelConsumed ?? 0) > 0 && (invocation.fuelConsumed ?? .max) < 1000)
    }

    @Test func aMemoryLimitBelowTheInitialMemoryStopsTheInstantiation() async throws {
        let echo = try await runtime.compile(try WasmModules.source("echo"))  // two pages
        var tiny = limits
        tiny.maxMemoryBytes = 65536
        let invocation = await runtime.invoke(echo, request: FunctionRequest(), environment: [:], limits: tiny)
        #expect(invocation.error?.code == .functionMemoryLimit)
        #expect(invocation.error?.details["requested"] == "131072")
    }

    /// The same module as a binary from another tool (wabt's `wat2wasm`, when installed) runs the same.
    @Test func binariesFromWabtRunTheSame() async throws {
        guard let wat2wasm = try Toolchain.required(Toolchain.executable("wat2wasm"), "wat2wasm (apt-get install wabt) is not installed") else {
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-wasm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("echo.wasm")
        try await Toolchain.run(wat2wasm, [WasmModules.directory.appendingPathComponent("echo.wat").path, "-o", output.path])
        let binary = try await runtime.compile(.binary(Array(try Data(contentsOf: output))))
        let text = try await runtime.compile(try WasmModules.source("echo"))
        let request = FunctionRuntimeConformance.sampleRequest
        let fromBinary = try await runtime.invoke(binary, request: request, environment: [:], limits: limits).response()
        let fromText = try await runtime.invoke(text, request: request, environment: [:], limits: limits).response()
        #expect(fromBinary == fromText)
    }

    /// A C program built with clang for wasm32-wasi against wasi-libc (`apt-get install wasi-libc
    /// libclang-rt-14-dev-wasm32`): stdio, getenv and exit through wasi-libc work in the sandbox.
    @Test func aCProgramBuiltWithClangRuns() async throws {
        guard let wasm = try await Toolchain.buildC(WasmModules.directory.appendingPathComponent("echo.c")) else { return }
        let function = try await runtime.compile(.binary(wasm))
        let invocation = await runtime.invoke(
            function, request: FunctionRuntimeConformance.sampleRequest, environment: ["GREETING": "bonjour"], limits: limits)
        let response = try invocation.response()
        #expect(response.status == 201)
        #expect(response.header("x-language") == "c")
        #expect(try JSONValueCoder.parse(response.body) == JSONValueCoder.parse(FunctionWire.encodeRequest(FunctionRuntimeConformance.sampleRequest)))
        #expect(invocation.logs == ["hello from C, GREETING=bonjour"])
    }
}

/// The external tools some tests use, found on PATH; a test without them says so and passes.
enum Toolchain {
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `tool`, or nil after printing why the test is skipped; with `REACTOR_REQUIRE_WASI_TOOLCHAIN=1` (CI) a missing
    /// tool fails the test instead.
    static func required<T>(_ tool: T?, _ missing: String) throws -> T? {
        if let tool { return tool }
        if ProcessInfo.processInfo.environment["REACTOR_REQUIRE_WASI_TOOLCHAIN"] == "1" {
            throw ConformanceFailure("\(missing) (REACTOR_REQUIRE_WASI_TOOLCHAIN=1)")
        }
        print("skipped: \(missing)")
        return nil
    }

    /// Runs `executable` to completion (through `TestProcess`: no cooperative thread blocks while it runs).
    static func run(_ executable: String, _ arguments: [String]) async throws {
        let (status, output) = try await TestProcess.run(executable, arguments)
        guard status == 0 else {
            throw ConformanceFailure("\(executable) \(arguments.joined(separator: " ")) failed: \(output)")
        }
    }

    /// Builds `source` with clang for wasm32-wasi (the command in `docs/functions.md`), or returns nil, saying why,
    /// when clang, wasi-libc or the wasm32 builtins are missing.
    static func buildC(_ source: URL) async throws -> [UInt8]? {
        try await WasiToolchain.buildC(source)
    }
}
