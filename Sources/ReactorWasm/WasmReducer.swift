import ReactorCore
import WAT
@_spi(Fuzzing) import WasmKit

/// A document model's reducer compiled from a WebAssembly module: the reducer ABI of `docs/functions.md` ("Document
/// models (reducer ABI)") on WasmKit's interpreter, called synchronously on the caller's thread.
///
/// The module exports `memory`, `reactor_alloc(len: i32) -> i32` and
/// `reactor_reduce(statePtr: i32, stateLen: i32, actionPtr: i32, actionLen: i32) -> i64`, which returns the address
/// (high 32 bits) and length (low 32 bits) of its UTF-8 JSON result: `{"state": …}`, `{"error": "…"}` (a reducer
/// error) or `{"invalid": "…", "path": "…", "code": "…"}` (a validation error). It may import functions of
/// `wasi_snapshot_preview1` (what wasi-libc links), but every one of them answers `ENOSYS` (52) and `proc_exit` stops
/// the reducer: no clock, no randomness, no files, no output. Nothing else may be imported.
///
/// Every ``reduce(state:action:limits:)`` instantiates the module anew in a fresh store (memory, globals and tables
/// start from the module's initial values), so no action sees another's leftovers and replaying the same operations
/// always gives the same states. Fuel bounds each action; a memory limiter bounds its linear memory.
public struct WasmReducer: Sendable {
    /// What one action may use.
    public struct Limits: Sendable, Hashable {
        /// Fuel (about one unit per WebAssembly operator) per action. Default 10,000,000.
        public var fuel: UInt64
        /// Linear memory per action, initial memory included. Default 64 MiB.
        public var maxMemoryBytes: Int

        /// Creates limits.
        public init(fuel: UInt64 = Self.defaultFuel, maxMemoryBytes: Int = 64 << 20) {
            self.fuel = fuel
            self.maxMemoryBytes = maxMemoryBytes
        }

        /// The default fuel per action: 10,000,000 units.
        public static let defaultFuel: UInt64 = 10_000_000
    }

    /// What one action gave.
    public enum Outcome: Sendable, Equatable {
        /// The new state (`{"state": …}`).
        case state(JSONValue)
        /// A reducer error: the module's `{"error": "…"}`, or the reducer trapped, ran out of fuel or memory, or
        /// answered something that is not a result. Recorded on the operation; the state is unchanged.
        case failed(String)
        /// A validation error (`{"invalid": …}`): `INVALID_INPUT` or `UNKNOWN_ACTION`. Fails the job.
        case invalid(ReactorError)
    }

    /// `sha256:<hex>` of ``binary``.
    public let digest: String
    /// The binary module (the compiled form of WAT text).
    public let binary: [UInt8]
    let module: Module
    let initializes: Bool

    /// The interpreter every reducer runs on: functions translated lazily (an action translates only what it calls),
    /// memory bounds-checked in software (no process-wide signal handlers), fuel metered.
    static let engine = Engine(
        configuration: EngineConfiguration(compilationMode: .lazy, stackSize: 512 << 10, memoryBoundsChecking: .software, fuelMetering: true))
    /// Eager translation, used once at compile time to validate every function body.
    static let validationEngine = Engine(
        configuration: EngineConfiguration(compilationMode: .eager, stackSize: 512 << 10, memoryBoundsChecking: .software, fuelMetering: true))
    static let wasiModule = "wasi_snapshot_preview1"
    /// WASI's `ENOSYS`: what every imported WASI function answers.
    static let enosys: UInt32 = 52
    static let maxTableElements = 100_000

    /// Compiles a binary module or WAT text and checks the reducer ABI; throws `MODEL_INVALID` saying what is wrong.
    public static func compile(_ source: FunctionSource) throws(ReactorError) -> WasmReducer {
        let binary: [UInt8]
        switch source {
        case .binary(let bytes):
            guard bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]) else {
                throw .modelInvalid("not a WebAssembly module: a binary module starts with \\0asm, and this is not WAT text either")
            }
            binary = bytes
        case .text(let text):
            do {
                binary = try wat2wasm(text)
            } catch {
                throw .modelInvalid("the WAT text does not compile: \(error)")
            }
        }
        let module: Module
        do {
            module = try parseWasm(bytes: binary)
        } catch {
            throw .modelInvalid("not a valid WebAssembly module: \(error)")
        }
        for entry in module.imports {
            guard entry.module == wasiModule, case .function = entry.descriptor else {
                throw .modelInvalid(
                    "the module imports \(entry.module).\(entry.name): a model may import only functions of \(wasiModule), and they all answer ENOSYS")
            }
        }
        let reducer = WasmReducer(
            digest: CompiledFunction.digest(of: binary), binary: binary, module: module,
            initializes: module.exports.contains { $0.name == "_initialize" })
        try reducer.checkABI()
        return reducer
    }

    /// Instantiates the module once with every function translated (validating every body) and checks the exports'
    /// types.
    private func checkABI() throws(ReactorError) {
        let store = Store(engine: Self.validationEngine)
        store.fuel = Fuel(remaining: 50_000_000)
        store.resourceLimiter = SandboxLimiter(maxMemoryBytes: 256 << 20, maxTableElements: Self.maxTableElements)
        let instance: Instance
        do {
            instance = try module.instantiate(store: store, imports: imports(in: store))
        } catch {
            throw .modelInvalid("the module does not instantiate: \(WasmFunctionRuntime.firstLine(of: error))")
        }
        guard instance.exports[memory: "memory"] != nil else {
            throw .modelInvalid("the module exports no memory named \"memory\"")
        }
        let expected: [(String, FunctionType)] = [
            ("reactor_alloc", FunctionType(parameters: [.i32], results: [.i32])),
            ("reactor_reduce", FunctionType(parameters: [.i32, .i32, .i32, .i32], results: [.i64])),
        ]
        for (name, type) in expected {
            guard let function = instance.exports[function: name] else {
                throw .modelInvalid("the module exports no function \(name) (the reducer ABI: docs/functions.md)")
            }
            guard function.type == type else {
                throw .modelInvalid("the module's \(name) has type \(function.type); the reducer ABI needs \(type)")
            }
        }
        if let initialize = instance.exports[function: "_initialize"], initialize.type != FunctionType(parameters: [], results: []) {
            throw .modelInvalid("the module's _initialize takes or returns values; it must be () -> ()")
        }
        let upgrade = FunctionType(parameters: [.i32, .i32, .i32, .i32, .i32], results: [.i64])
        if let function = instance.exports[function: "reactor_upgrade"], function.type != upgrade {
            throw .modelInvalid("the module's reactor_upgrade has type \(function.type); the reducer ABI needs \(upgrade)")
        }
    }

    /// The module's imports, every one a stub: `ENOSYS` for WASI functions, a stop for `proc_exit`.
    private func imports(in store: Store) -> Imports {
        var imports = Imports()
        for entry in module.imports {
            guard case .function(let typeIndex) = entry.descriptor, let type = module.functionType(at: typeIndex) else { continue }
            let name = entry.name
            let results = type.results
            let function = Function(store: store, type: type) { _, arguments in
                if name == "proc_exit" {
                    var code: UInt32 = 0
                    if case .i32(let given)? = arguments.first { code = given }
                    throw ReducerStop.exited(code)
                }
                return results.map { result in
                    switch result {
                    case .i32: .i32(Self.enosys)
                    case .i64: .i64(UInt64(Self.enosys))
                    case .f32: .f32(0)
                    case .f64: .f64(0)
                    default: .i32(Self.enosys)
                    }
                }
            }
            imports.define(module: entry.module, name: entry.name, function)
        }
        return imports
    }

    /// Reduces `action` (the action's JSON) on `state` (the state's JSON) in a fresh instance, within `limits`.
    /// Never throws: every way the module fails is an ``Outcome``.
    public func reduce(state: [UInt8], action: [UInt8], limits: Limits) -> Outcome {
        call("reactor_reduce", copying: [state, action], then: [], limits: limits)
    }

    /// Whether the module exports `reactor_upgrade` (the step from the previous version to its own).
    public var upgrades: Bool {
        module.exports.contains { $0.name == "reactor_upgrade" }
    }

    /// Transforms `state` of `scope` from model version `fromVersion` with the module's `reactor_upgrade`, in a fresh
    /// instance within `limits`. A result other than `{"state": …}` (or no such export) is ``Outcome/failed(_:)``.
    public func upgrade(state: [UInt8], scope: String, fromVersion: Int, limits: Limits) -> Outcome {
        guard upgrades else { return .failed("the model's module exports no reactor_upgrade") }
        return call("reactor_upgrade", copying: [state, Array(scope.utf8)], then: [.i32(UInt32(truncatingIfNeeded: fromVersion))], limits: limits)
    }

    /// Calls the export `name` in a fresh instance with, for each of `inputs`, its address and length in the guest,
    /// then `extra`, and decodes the packed result.
    private func call(_ name: String, copying inputs: [[UInt8]], then extra: [Value], limits: Limits) -> Outcome {
        let store = Store(engine: Self.engine)
        store.fuel = Fuel(remaining: limits.fuel)
        store.resourceLimiter = SandboxLimiter(maxMemoryBytes: limits.maxMemoryBytes, maxTableElements: Self.maxTableElements)
        let result: [UInt8]
        do {
            let instance = try module.instantiate(store: store, imports: imports(in: store))
            if initializes, let initialize = instance.exports[function: "_initialize"] { try initialize.invoke() }
            guard let memory = instance.exports[memory: "memory"], let alloc = instance.exports[function: "reactor_alloc"],
                  let function = instance.exports[function: name]
            else { return .failed("the model's module does not export \(name)") }
            var arguments: [Value] = []
            for input in inputs {
                arguments.append(.i32(try Self.copy(input, into: memory, alloc: alloc)))
                arguments.append(.i32(UInt32(input.count)))
            }
            let packed = try function.invoke(arguments + extra)
            guard case .i64(let value)? = packed.first else { return .failed("the model's \(name) returned no i64") }
            result = try Self.read(memory, pointer: UInt(value >> 32), count: Int(value & 0xFFFF_FFFF))
        } catch {
            return .failed(Self.describe(error, limits: limits))
        }
        return Self.decode(result)
    }

    /// Allocates `bytes.count` bytes in the guest with `reactor_alloc` and copies `bytes` there.
    private static func copy(_ bytes: [UInt8], into memory: Memory, alloc: Function) throws -> UInt32 {
        guard bytes.count < Int(UInt32.max) else { throw ReducerStop.badResult("an input larger than 4 GiB") }
        guard case .i32(let pointer)? = try alloc.invoke([.i32(UInt32(bytes.count))]).first else {
            throw ReducerStop.badResult("reactor_alloc returned no address")
        }
        guard pointer != 0 || bytes.isEmpty, Int(pointer) + bytes.count <= memory.byteCount else {
            throw ReducerStop.badResult("reactor_alloc(\(bytes.count)) returned \(pointer), outside the module's memory")
        }
        memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
        }
        return pointer
    }

    private static func read(_ memory: Memory, pointer: UInt, count: Int) throws -> [UInt8] {
        guard Int(pointer) + count <= memory.byteCount else {
            throw ReducerStop.badResult("reactor_reduce's result (\(count) bytes at \(pointer)) is outside the module's memory")
        }
        return memory.withUnsafeBufferPointer(offset: pointer, count: count) { Array($0) }
    }

    /// The outcome the result JSON says.
    static func decode(_ bytes: [UInt8]) -> Outcome {
        guard let value = try? JSONValueCoder.parse(bytes), case .object(let members) = value else {
            return .failed("the model's result is not a JSON object")
        }
        if let state = members["state"], members.count == 1 { return .state(state) }
        if case .string(let message)? = members["error"], members.count == 1 { return .failed(message) }
        if case .string(let message)? = members["invalid"] {
            let code: ReactorError.Code = members["code"]?.stringValue == ReactorError.Code.unknownAction.rawValue ? .unknownAction : .invalidInput
            var details: [String: String] = [:]
            if let path = members["path"]?.stringValue { details["path"] = path }
            return .invalid(ReactorError(code, message, details: details))
        }
        return .failed("the model's result has none of \"state\", \"error\" or \"invalid\"")
    }

    /// A reducer error's text for what stopped the module.
    static func describe(_ error: any Error, limits: Limits) -> String {
        switch error {
        case SandboxStop.memoryLimit(let requested):
            return "the model asked for \(requested) bytes of memory; its limit is \(limits.maxMemoryBytes) bytes"
        case ReducerStop.exited(let code):
            return "the model called proc_exit(\(code))"
        case ReducerStop.badResult(let what):
            return "the model broke the reducer ABI: \(what)"
        default:
            let reason = WasmFunctionRuntime.trapReason(error)
            if reason == "out of fuel" { return "the model used all of its fuel (\(limits.fuel) units) for this action" }
            return "the model trapped: \(reason)"
        }
    }
}

/// Why the host stopped a reducer.
enum ReducerStop: Error {
    case exited(UInt32)
    case badResult(String)
}
