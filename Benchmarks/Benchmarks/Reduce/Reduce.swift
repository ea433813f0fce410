import Benchmark
import HotPathFixtures
import ReactorCore
import ReactorModels

/// One action's cost in the engine (`JobRunner.reduce`), on to-do lists of 10 and 10,000 items.
///
/// - native: the state is decoded once (`nativeState(from:scope:)`, in setup), then each iteration reduces a
///   `TOGGLE_TODO` of the middle item with `reduceValidated`, writes the next state's canonical bytes and hashes them,
///   as the engine does for every action of a typed model. Every iteration reduces the same state, which stays alive
///   (as the engine's current state does while it reduces), so the reducer pays its copy of the state as in the engine.
/// - JSON: the path of a model without a native state, `reduceValidated(state:action:)` on the JSON state (decode,
///   reduce, encode) and `StateHash.of` the result, for comparison.
let benchmarks: @Sendable () -> Void = {
    for count in [10, 10_000] {
        let configuration = HotPathFixtures.configuration(scalingFactor: count < 1_000 ? .kilo : .one)
        let action = TodoList.toggleTodo(id: HotPathFixtures.middleItem(of: count))

        Benchmark("native reduce-canonicalData-hash \(count) items", configuration: configuration) { benchmark, native in
            for _ in benchmark.scaledIterations {
                switch try native.reduceValidated(action) {
                case .success(let next): blackHole(StateHash.of(canonical: try next.canonicalData()))
                case .failure(let error): throw error
                }
            }
        } setup: { () -> any NativeState in
            let json = try JSONValueCoder.encode(HotPathFixtures.todoList(items: count))
            guard let native = TodoList.model.nativeState(from: json, scope: Scope.global) else {
                throw ReactorError(.internal, "the to-do list model has no native state")
            }
            return native
        }

        Benchmark("JSON reduceValidated-StateHash \(count) items", configuration: configuration) { benchmark, json in
            for _ in benchmark.scaledIterations {
                switch try TodoList.model.reduceValidated(state: json, action: action) {
                case .success(let next): blackHole(StateHash.of(next))
                case .failure(let error): throw error
                }
            }
        } setup: {
            try JSONValueCoder.encode(HotPathFixtures.todoList(items: count))
        }
    }
}
