import Foundation
import ReactorCore
import Synchronization

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
    public static func build() throws -> [UInt8]? {
        try built.withLock { cached in
            if let cached { return cached }
            let wasm = try WasiToolchain.buildC(source, extraArguments: ["-mexec-model=reactor"])
            cached = wasm
            return wasm
        }
    }

    private static let built = Mutex<[UInt8]?>(nil)
}
