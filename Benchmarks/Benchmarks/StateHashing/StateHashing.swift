import Benchmark
import HotPathFixtures
import ReactorCore
import ReactorModels

/// What the write path does with a whole to-do list state, at 10, 1,000 and 10,000 items: typed state straight to
/// canonical bytes (what a native state's hash is computed over), typed state to a `JSONValue`, a `JSONValue` to
/// canonical bytes, the state hash of a `JSONValue`, and a `JSONValue` decoded back to the typed state.
let benchmarks: @Sendable () -> Void = {
    for count in HotPathFixtures.listSizes {
        // Small states run many times per sample, so that a sample is well above the clock's resolution.
        let configuration = HotPathFixtures.configuration(scalingFactor: count < 1_000 ? .kilo : .one)

        Benchmark("typed canonicalData \(count) items", configuration: configuration) { benchmark, state in
            let encoder = JSONValueEncoder()
            for _ in benchmark.scaledIterations { blackHole(try encoder.canonicalData(state)) }
        } setup: {
            HotPathFixtures.todoList(items: count)
        }

        Benchmark("JSONValueCoder.encode \(count) items", configuration: configuration) { benchmark, state in
            for _ in benchmark.scaledIterations { blackHole(try JSONValueCoder.encode(state)) }
        } setup: {
            HotPathFixtures.todoList(items: count)
        }

        Benchmark("JSONValue.canonicalData \(count) items", configuration: configuration) { benchmark, json in
            for _ in benchmark.scaledIterations { blackHole(json.canonicalData) }
        } setup: {
            try JSONValueCoder.encode(HotPathFixtures.todoList(items: count))
        }

        Benchmark("StateHash.of \(count) items", configuration: configuration) { benchmark, json in
            for _ in benchmark.scaledIterations { blackHole(StateHash.of(json)) }
        } setup: {
            try JSONValueCoder.encode(HotPathFixtures.todoList(items: count))
        }

        Benchmark("JSONValueCoder.decode \(count) items", configuration: configuration) { benchmark, json in
            for _ in benchmark.scaledIterations { blackHole(try JSONValueCoder.decode(TodoList.State.self, from: json)) }
        } setup: {
            try JSONValueCoder.encode(HotPathFixtures.todoList(items: count))
        }
    }
}
