import ReactorCore
import ReactorTesting
import ReactorWasm
import Testing

/// The function runtime conformance suite on WasmKit (the committed `.wat` modules) and on the mock.
@Suite("Function runtime conformance", .timeLimit(.minutes(3)))
struct FunctionRuntimeConformanceTests {
    /// One runtime for the whole suite, with two workers (as on the CI machine).
    static let runtime = WasmFunctionRuntime(configuration: .init(workers: 2))

    @Test(arguments: FunctionRuntimeConformance.cases)
    func wasm(_ c: FunctionRuntimeConformanceCase) async throws {
        try await c.run(WasmModules.fixture(Self.runtime))
    }

    @Test(arguments: FunctionRuntimeConformance.cases)
    func mock(_ c: FunctionRuntimeConformanceCase) async throws {
        try await c.run(
            FunctionRuntimeFixture(runtime: MockFunctionRuntime(), invalidModule: .text("(module)")) { MockFunctionRuntime.module(for: $0) })
    }
}
