import Foundation
import ReactorCore

/// The to-do list model written in C for the reducer ABI (`Tests/ReactorWasmTests/Modules/todo.c`, the same actions,
/// state and errors as the built-in `reactor/todo-list`), built with the toolchain's clang for wasm32-wasi: what the
/// tests and `reactor-bench models` register as `example/wasm-todo`.
public enum WasmTodoModule {
    /// The document type the tests and the benchmark register it under.
    public static let documentType = "example/wasm-todo"

    /// The C source in the repository.
    public static let source = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/ReactorWasmTests/Modules/todo.c")

    /// The binary module (built once per process), or nil after printing why when clang, wasi-libc or the wasm32
    /// builtins are missing (`apt-get install wasi-libc libclang-rt-14-dev-wasm32`). With
    /// `REACTOR_REQUIRE_WASI_TOOLCHAIN=1` (CI) a missing tool throws instead.
    public static func build() async throws -> [UInt8]? {
        try await cache.module()
    }

    private static let cache = BuildCache()

    /// Builds the module once: later callers, and callers that arrive while clang runs, get the same bytes.
    private actor BuildCache {
        private var built: [UInt8]??
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var building = false

        func module() async throws -> [UInt8]? {
            while building { await withCheckedContinuation { waiting.append($0) } }
            if let built { return built }
            building = true
            defer {
                building = false
                for waiter in waiting { waiter.resume() }
                waiting = []
            }
            let wasm = try await WasiToolchain.buildC(source, extraArguments: ["-mexec-model=reactor"])
            built = .some(wasm)
            return wasm
        }
    }
}
