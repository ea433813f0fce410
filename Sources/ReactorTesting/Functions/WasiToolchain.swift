import Foundation

/// Building C for WebAssembly in tests and benchmarks: the toolchain's clang for `wasm32-wasi` against wasi-libc
/// (`apt-get install wasi-libc libclang-rt-14-dev-wasm32`), the command `docs/functions.md` documents.
public enum WasiToolchain {
    /// `source` built with clang for wasm32-wasi (`-O2 -nodefaultlibs … -lc` and the wasm32 builtins, plus
    /// `extraArguments`, e.g. `-mexec-model=reactor` for a module without `main`), or nil after printing why when
    /// clang, wasi-libc or the builtins are missing. With `REACTOR_REQUIRE_WASI_TOOLCHAIN=1` (CI) a missing tool
    /// throws instead.
    public static func buildC(_ source: URL, extraArguments: [String] = []) async throws -> [UInt8]? {
        let sysroot = "/usr"
        let builtins = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/llvm-14/lib/clang"))?
            .map { "/usr/lib/llvm-14/lib/clang/\($0)/lib/wasi/libclang_rt.builtins-wasm32.a" }
            .first { FileManager.default.fileExists(atPath: $0) }
        let clang = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/clang" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let clang, FileManager.default.fileExists(atPath: "\(sysroot)/lib/wasm32-wasi/libc.a"), let builtins else {
            let missing = "building C for wasm32-wasi needs clang, wasi-libc and libclang-rt-14-dev-wasm32 (apt-get install wasi-libc libclang-rt-14-dev-wasm32)"
            if ProcessInfo.processInfo.environment["REACTOR_REQUIRE_WASI_TOOLCHAIN"] == "1" {
                throw ConformanceFailure("\(missing) (REACTOR_REQUIRE_WASI_TOOLCHAIN=1)")
            }
            print("skipped: \(missing)")
            return nil
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-wasm-\(UUID().uuidString).wasm")
        defer { try? FileManager.default.removeItem(at: output) }
        let arguments = [
            "--target=wasm32-wasi", "--sysroot=\(sysroot)", "-isystem", "\(sysroot)/include/wasm32-wasi",
            "-L\(sysroot)/lib/wasm32-wasi", "-O2", "-nodefaultlibs",
        ] + extraArguments + ["-o", output.path, source.path, "-lc", builtins]
        let (status, message) = try await TestProcess.run(clang, arguments)
        guard status == 0 else {
            throw ConformanceFailure("clang \(arguments.joined(separator: " ")) failed: \(message)")
        }
        return Array(try Data(contentsOf: output))
    }
}
