import ArgumentParser
import Foundation
import ReactorCore
#if WASM
import ReactorWasm
#endif

/// `reactor-bench functions`: one module's invocations in process on `WasmFunctionRuntime` (issue 15), beside the
/// HTTP numbers of `scripts/bench-functions.sh`: compile time, the first invocation, then warm invocations one at a
/// time (latency percentiles) and from several tasks at once (invocations per second).
struct FunctionsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "functions", abstract: "In-process invocations of a WASM function.")

    @Option(name: .long, help: "The module (.wasm or .wat).") var module: String
    @Option(name: .long, help: "Warm invocations, one at a time.") var invocations: Int = 5_000
    @Option(name: .long, help: "Tasks invoking at once for the throughput run.") var concurrency: Int = 4
    @Option(name: .long, help: "Seconds of the throughput run.") var seconds: Double = 5
    @Option(name: .long, help: "The request body.") var body: String = ""

    func run() async throws {
        #if WASM
        guard let bytes = FileManager.default.contents(atPath: module) else { throw ValidationError("cannot read \(module)") }
        let runtime = WasmFunctionRuntime()
        let request = FunctionRequest(method: body.isEmpty ? "GET" : "POST", path: "/", body: Array(body.utf8))
        let compileStart = ContinuousClock.now
        let function = try await runtime.compile(FunctionSource.detect(Array(bytes)))
        let compiled = compileStart.duration(to: .now)
        let firstStart = ContinuousClock.now
        _ = try await runtime.invoke(function, request: request, environment: [:], limits: .default).response()
        let first = firstStart.duration(to: .now)
        print(String(format: "compile %.3f ms, first invocation %.3f ms", Self.ms(compiled), Self.ms(first)))
        var samples: [Double] = []
        samples.reserveCapacity(invocations)
        for _ in 0..<invocations {
            let start = ContinuousClock.now
            _ = try await runtime.invoke(function, request: request, environment: [:], limits: .default).response()
            samples.append(Self.ms(start.duration(to: .now)))
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print(String(format: "warm, one at a time: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d invocations)",
                     percentile(0.5), percentile(0.9), percentile(0.99), invocations))
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try await runtime.invoke(function, request: request, environment: [:], limits: .default).response()
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        print(String(format: "warm, %d at once: %.0f invocations/s", concurrency, Double(total) / seconds))
        #else
        throw ValidationError("this binary was built without the WASM trait")
        #endif
    }

    static func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    }
}
