import Benchmark
import ReactorCore
import ReactorModels

/// Inputs of the hot-path benchmarks, built once per benchmark in its `setup` (never measured).
public enum HotPathFixtures {
    /// The to-do list sizes the state benchmarks run on (the sizes of `reactor-bench state-size`).
    public static let listSizes = [10, 1_000, 10_000]

    /// A to-do list of `count` items shaped as `reactor-bench state-size` makes them (`t0`, `t1`, … with the text
    /// "to-do number N"), every third one done so that both boolean values are encoded.
    public static func todoList(items count: Int) -> TodoList.State {
        let items = (0..<count).map { TodoList.Item(id: "t\($0)", text: "to-do number \($0)", done: $0 % 3 == 0) }
        return TodoList.State(title: "bench", items: items)
    }

    /// The id of an item in the middle of a list of `count` items: what a toggle finds after a linear search of half
    /// the list, the reducer's average case.
    public static func middleItem(of count: Int) -> String { "t\(count / 2)" }

    /// A JSON document of at least `bytes` bytes (and at most one record more): an object holding an array of
    /// records that mix what a parser meets in documents (strings with escapes and non-ASCII text, integers,
    /// fractions, booleans, null, a nested array and object), written as canonical JSON.
    public static func jsonDocument(bytes: Int) -> [UInt8] {
        var records: [JSONValue] = []
        var size = 0
        var i = 0
        while size < bytes {
            let record: JSONValue = [
                "id": .string("record-\(i)"),
                "text": .string("line \(i): \"quoted\", tab\tand é ü → ✓"),
                "count": .number(Double(i * 37)),
                "ratio": .number(Double(i) / 8),
                "done": .bool(i % 2 == 0),
                "parent": i == 0 ? .null : .string("record-\(i - 1)"),
                "tags": ["a", "b", .string("tag-\(i % 5)")],
                "meta": ["created": .number(Double(1_764_806_400_000 + i)), "author": "reactor"],
            ]
            size += record.canonicalData.count + 1
            records.append(record)
            i += 1
        }
        return JSONValue.object(["records": .array(records)]).canonicalData
    }

    /// The benchmark configuration of this package: instructions, allocations, wall time and throughput (instructions
    /// need hardware performance counters, which a virtual machine may not expose: the metric is then left out of the
    /// results), and a time budget per benchmark that keeps a full run within a few minutes on two cores.
    public static func configuration(
        scalingFactor: BenchmarkScalingFactor = .one, maxDuration: Duration = .seconds(2), maxIterations: Int = 10_000
    ) -> Benchmark.Configuration {
        .init(
            metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput],
            // Counts printed whole (not rounded to thousands), so that a change of a few allocations shows.
            units: [.instructions: .count, .mallocCountTotal: .count],
            warmupIterations: 3, scalingFactor: scalingFactor, maxDuration: maxDuration, maxIterations: maxIterations
        )
    }
}
